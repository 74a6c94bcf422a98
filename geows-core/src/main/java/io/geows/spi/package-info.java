/**
 * The service provider interfaces a {@link io.geows.GeoWsNode} is assembled from: the
 * {@link io.geows.spi.BrokerAdapter} (cross-node transport, with its {@link io.geows.spi.History}
 * and {@link io.geows.spi.Presence}), the {@link io.geows.spi.SessionRegistry} and the
 * {@link io.geows.spi.Router}. Broker modules ({@code geows-redis}, {@code geows-nats}) implement
 * the broker side; {@code io.geows.memory} holds the in-process implementation.
 *
 * @since 0.1.0
 */
package io.geows.spi;
