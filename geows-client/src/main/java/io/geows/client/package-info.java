/**
 * The geows Java client: connects to the nearest healthy region, fails over with backoff and
 * jitter, resumes every joined room from its last position after a reconnect, and acknowledges
 * publishes (resending unacknowledged ones with the same id, which the node deduplicates).
 *
 * <pre>{@code
 * try (GeoWsClient client = GeoWsClient.builder()
 *         .region("us-east", URI.create("wss://us.example.com/"))
 *         .region("eu-west", URI.create("wss://eu.example.com/"))
 *         .token("alice")
 *         .build()) {
 *     client.connect().join();
 *     RoomHandle lobby = client.join("lobby", m -> log.info("{}: {}", m.from(), m.dataJson())).join();
 *     client.publish("lobby", Map.of("text", "hello")).join();
 * }
 * }</pre>
 *
 * <p>Everything in this package is public API; {@code io.geows.client.internal} is not.
 *
 * @since 0.1.0
 */
package io.geows.client;
