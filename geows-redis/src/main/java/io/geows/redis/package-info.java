/**
 * geows on Redis: {@link io.geows.redis.RedisBroker} gives a {@link io.geows.GeoWsNode} Pub/Sub
 * between nodes and regions, per-room history (a Stream per room, appended and published by one Lua
 * script so offsets and delivery order agree) and presence, on Lettuce.
 *
 * <p>Keys, all under the topic prefix (default {@code geows}); every key of a room shares the hash
 * tag of the room's channel, so one script touches one slot (Redis Cluster):
 * <ul>
 * <li>{@code {geows.room.<room>}:h} — the Stream; entry id {@code <offset>-0}, field {@code p} the payload</li>
 * <li>{@code {geows.room.<room>}:seq} — the last offset; {@code :epoch} — the epoch;
 *     {@code :k:<sender>\n<id>} — a message id already appended (deduplication)</li>
 * <li>{@code geows:nodes} — sorted set of node ids by heartbeat expiry; {@code geows:node:<id>} the node's info</li>
 * <li>{@code geows:user:{<user>}}, {@code geows:presence:{<room>}} — sets of (user, region, node)</li>
 * </ul>
 * A room's keys expire together after the history time-to-live without traffic; the next message
 * then starts a new epoch, so clients are told they could not be fully recovered.
 *
 * @since 0.1.0
 */
package io.geows.redis;
