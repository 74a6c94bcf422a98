/**
 * geows on Redis: {@link io.geows.redis.RedisBroker} gives a {@link io.geows.GeoWsNode} Pub/Sub
 * between nodes and regions, per-room history (a Stream per room, appended and published by one Lua
 * script so offsets and delivery order agree) and presence, on Lettuce.
 *
 * <p>Keys, all under the topic prefix (default {@code geows}); every key of a room shares the hash
 * tag of the room's channel, so one script touches one slot (Redis Cluster):
 * <ul>
 * <li>{@code {geows.room.<room>}:h} — the Stream; entry id {@code <offset>-0}, fields {@code p} the
 *     payload, {@code k} the message key ({@code <sender>\n<id>}) and {@code e} the epoch it was
 *     appended in (a read keeps only the current epoch's entries)</li>
 * <li>{@code {geows.room.<room>}:seq} — the last offset; {@code :epoch} — the epoch;
 *     {@code :ix} — a hash from each message key in the Stream to its offset (deduplication, and the
 *     proof that an entry was written by the append script)</li>
 * <li>{@code geows:nodes} — sorted set of node ids by heartbeat expiry; {@code geows:node:<id>} the node's info</li>
 * <li>{@code geows:user:{<user>}}, {@code geows:presence:{<room>}} — sets of (user, region, node)</li>
 * </ul>
 * A room's keys expire together after the history time-to-live without traffic; the next message
 * then starts a new epoch, so clients are told they could not be fully recovered.
 *
 * <p><b>History written by someone else.</b> Only the append script writes a room's Stream, at the
 * counter's next id. A read returns only entries whose id is {@code <offset>-0} within the counter and
 * whose key the index ties to that offset; anything else is skipped and counted
 * ({@link io.geows.spi.HistorySlice#rejected()}). An append that finds entries past the counter
 * (an {@code XADD} by someone else, even with a time-based id) removes them, counts them and sets the
 * Stream's last id back, so the room keeps working; a key of the wrong type makes the room answer
 * {@code unavailable}, with a log line naming the key.
 *
 * @since 0.1.0
 */
package io.geows.redis;
