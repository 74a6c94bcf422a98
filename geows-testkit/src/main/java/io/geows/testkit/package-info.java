/**
 * Test support for geows and for applications built on it: real {@code redis-server} and
 * {@code nats-server} processes on free loopback ports ({@link io.geows.testkit.RedisServer},
 * {@link io.geows.testkit.NatsServer}), a TCP {@link io.geows.testkit.FaultProxy}, a protocol-level
 * {@link io.geows.testkit.TestClient}, and the {@link io.geows.testkit.BrokerCompatibilityKit}
 * every broker module runs.
 *
 * @since 0.1.0
 */
package io.geows.testkit;
