package io.geows.redis;

import io.geows.Topics;
import io.geows.spi.Appended;
import io.geows.spi.BrokerMessage;
import io.geows.spi.History;
import io.geows.spi.HistorySlice;
import io.geows.spi.Position;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** Room history in Redis Streams; see the package documentation for the keys. */
final class RedisHistory implements History {
    private final RedisBroker broker;
    private final Topics topics;
    private final int maxEntries;
    private final long ttlMillis;
    private final boolean sharded;

    RedisHistory(RedisBroker broker, Topics topics, int maxEntries, long ttlMillis, boolean sharded) {
        this.broker = broker;
        this.topics = topics;
        this.maxEntries = maxEntries;
        this.ttlMillis = ttlMillis;
        this.sharded = sharded;
    }

    /** The room's key prefix: the channel as hash tag, so the script and SPUBLISH share one slot. */
    private String base(String room) {
        return "{" + topics.room(room) + "}";
    }

    private static byte[] bytes(Object o) {
        return String.valueOf(o).getBytes(StandardCharsets.UTF_8);
    }

    private static String newEpoch() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    public CompletableFuture<Appended> append(String room, String messageKey, String topic, byte[] payload) {
        String base = base(room);
        String[] keys = {base + ":h", base + ":seq", base + ":epoch", base + ":k:" + messageKey};
        return broker.call(commands -> Scripts.APPEND.<List<Object>>run(commands, keys, payload, bytes(topic),
                bytes(maxEntries), bytes(ttlMillis), bytes(newEpoch()), bytes(ttlMillis),
                bytes(sharded ? "SPUBLISH" : "PUBLISH")))
                .thenApply(r -> new Appended((Long) r.get(0), text(r.get(1)), ((Long) r.get(2)) == 1L));
    }

    @Override
    public CompletableFuture<HistorySlice> readAfter(String room, long afterOffset, int limit) {
        return read(room, afterOffset, limit).thenApply(r -> r);
    }

    @Override
    public CompletableFuture<Position> position(String room) {
        return read(room, 0, 0).thenApply(slice -> new Position(slice.top(), slice.epoch()));
    }

    @SuppressWarnings("unchecked")
    private CompletableFuture<HistorySlice> read(String room, long afterOffset, int limit) {
        String base = base(room);
        String[] keys = {base + ":h", base + ":seq", base + ":epoch"};
        String topic = topics.room(room);
        return broker.call((RedisClusterAsyncCommands<String, byte[]> commands) -> Scripts.READ.<List<Object>>run(
                commands, keys, bytes(afterOffset), bytes(limit), bytes(newEpoch()), bytes(ttlMillis)))
                .thenApply(r -> {
                    String epoch = text(r.get(0));
                    long top = (Long) r.get(1);
                    List<Object> first = (List<Object>) r.get(2);
                    List<BrokerMessage> messages = new ArrayList<>();
                    for (Object entry : (List<Object>) r.get(3)) {
                        List<Object> e = (List<Object>) entry;
                        messages.add(new BrokerMessage(topic, field((List<Object>) e.get(1), "p"), offsetOf(e.get(0)), epoch));
                    }
                    long oldest = first.isEmpty() ? top + 1 : offsetOf(((List<Object>) first.get(0)).get(0));
                    boolean complete = afterOffset >= oldest - 1 || afterOffset >= top;
                    return new HistorySlice(epoch, top, messages, complete);
                });
    }

    private static long offsetOf(Object streamId) {
        String id = text(streamId);
        return Long.parseLong(id.substring(0, id.indexOf('-')));
    }

    private static byte[] field(List<Object> fields, String name) {
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            if (name.equals(text(fields.get(i)))) {
                return (byte[]) fields.get(i + 1);
            }
        }
        throw new IllegalStateException("history entry without field " + name);
    }

    private static String text(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    }
}
