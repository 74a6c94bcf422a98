/**
 * The in-process broker: the embedded default, and the way to run several nodes (and regions) in one
 * JVM. See {@link io.geows.memory.InMemoryBroker}.
 *
 * @since 0.1.0
 */
package io.geows.memory;
