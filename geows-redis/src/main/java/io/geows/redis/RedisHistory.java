package io.geows.redis;

import io.geows.BrokerUnavailableException;
import io.geows.Retention;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Room history in Redis Streams; see the package documentation for the keys. */
final class RedisHistory implements History {
    private static final Logger log = LoggerFactory.getLogger(RedisHistory.class);
    private final Set<String> loggedKeys = ConcurrentHashMap.newKeySet();
    private final RedisBroker broker;
    private final Topics topics;
    private final int maxEntries;
    private final long ttlMillis;
    private final boolean sharded;
    private volatile Retention retention = Retention.none();

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
    public void retention(Retention rules) {
        this.retention = java.util.Objects.requireNonNull(rules, "rules");
    }

    /**
     * Scans the rooms' streams ({@code SCAN}, every master of a cluster) and removes the sender's
     * entries from each with one script call per stream.
     */
    @Override
    public CompletableFuture<Long> eraseSender(String user) {
        String pattern = "{" + topics.room("") + "*}:h";
        byte[] prefix = (user + "\n").getBytes(StandardCharsets.UTF_8);
        return broker.call(commands -> scanAndErase(commands, io.lettuce.core.ScanCursor.INITIAL, pattern, prefix, 0L));
    }

    private CompletableFuture<Long> scanAndErase(RedisClusterAsyncCommands<String, byte[]> commands,
                                                 io.lettuce.core.ScanCursor cursor, String pattern, byte[] prefix,
                                                 long sofar) {
        return commands.scan(cursor, io.lettuce.core.ScanArgs.Builder.matches(pattern).limit(500)).toCompletableFuture()
                .thenCompose(page -> {
                    CompletableFuture<Long> sum = CompletableFuture.completedFuture(sofar);
                    for (String key : page.getKeys()) {
                        sum = sum.thenCompose(n -> Scripts.ERASE.<Long>runInteger(commands, broker.scriptsSent,
                                new String[] {key}, prefix).thenApply(r -> n + r));
                    }
                    return page.isFinished() ? sum : sum.thenCompose(n -> scanAndErase(commands, page, pattern, prefix, n));
                });
    }

    @Override
    public CompletableFuture<Appended> append(String room, String messageKey, String topic, byte[] payload) {
        String base = base(room);
        Retention.Limit limit = retention.of(room).orElse(null);
        String[] keys = {base + ":h", base + ":seq", base + ":epoch", base + ":ix"};
        DurableAppends durable = broker.durable;
        // With replicas to wait for, the script stores without publishing: DurableAppends publishes
        // once the replicas have it.
        String publish = durable != null ? "" : sharded ? "SPUBLISH" : "PUBLISH";
        java.util.function.Function<RedisClusterAsyncCommands<String, byte[]>, CompletableFuture<Appended>> script =
                commands -> Scripts.APPEND.<List<Object>>run(commands, broker.scriptsSent, keys, payload,
                        bytes(topic), bytes(maxEntries), bytes(ttlMillis), bytes(newEpoch()), bytes(messageKey),
                        bytes(publish), bytes(limit == null ? 0 : limit.maxMessages()),
                        bytes(limit == null ? 0 : limit.maxAgeMillis())).thenApply(r -> appended(keys[0], r));
        return guard(base + ":h", durable != null ? durable.append(script, topic, payload) : broker.call(script));
    }

    private Appended appended(String stream, List<Object> r) {
        long offset = (Long) r.get(0);
        int removed = ((Long) r.get(3)).intValue();
        if (removed > 0) {
            log.warn("Redis at {}: removed {} entries from {} that no node wrote (someone else writes to the "
                    + "room's history: check the broker's ACL users)", broker.address(), removed, stream);
        }
        if (offset == 0) {
            throw new CompletionException(blocked(stream, text(r.get(4))));
        }
        return new Appended(offset, text(r.get(1)), ((Long) r.get(2)) == 1L, removed);
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
        String[] keys = {base + ":h", base + ":seq", base + ":epoch", base + ":ix"};
        String topic = topics.room(room);
        long maxAge = retention.of(room).map(Retention.Limit::maxAgeMillis).orElse(0L);
        return guard(keys[0], broker.call((RedisClusterAsyncCommands<String, byte[]> commands) -> Scripts.READ.<List<Object>>run(
                commands, broker.scriptsSent, keys, bytes(afterOffset), bytes(limit), bytes(newEpoch()), bytes(ttlMillis),
                bytes(maxAge))))
                .thenApply(r -> {
                    String epoch = text(r.get(0));
                    long top = (Long) r.get(1);
                    String first = text(r.get(2));
                    List<BrokerMessage> messages = new ArrayList<>();
                    int rejected = 0;
                    for (Object entry : (List<Object>) r.get(3)) {
                        List<Object> e = (List<Object>) entry;
                        long offset = ownOffset(text(e.get(0)), text(e.get(2)), text(e.get(3)), top);
                        if (offset <= 0) {
                            rejected++; // not written by the append script: someone else's entry
                            continue;
                        }
                        messages.add(new BrokerMessage(topic, (byte[]) e.get(1), offset, epoch, offset - 1, text(e.get(2))));
                    }
                    long oldest = first.isEmpty() ? top + 1 : Math.max(1, offsetOf(first));
                    boolean complete = afterOffset >= oldest - 1 || afterOffset >= top;
                    return new HistorySlice(epoch, top, messages, complete, rejected);
                });
    }

    /**
     * The offset of an entry the append script wrote: id {@code <offset>-0}, not past the counter,
     * with a key the index ties to that offset; 0 for anything else.
     */
    static long ownOffset(String id, String key, String indexed, long top) {
        long offset = offsetOf(id);
        if (offset <= 0 || offset > top || !id.endsWith("-0") || key.isEmpty() || !indexed.equals(Long.toString(offset))) {
            return 0;
        }
        return offset;
    }

    /** Script errors (a key of the wrong type, an unusable stream) name the key and say the room is unavailable. */
    private <T> CompletableFuture<T> guard(String key, CompletableFuture<T> f) {
        return f.handle((v, err) -> {
            if (err == null) {
                return v;
            }
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (cause instanceof BrokerUnavailableException b) {
                throw new CompletionException(b);
            }
            throw new CompletionException(blocked(key, cause.getMessage()));
        });
    }

    private BrokerUnavailableException blocked(String key, String reason) {
        String message = "the history of a room at " + key + " on Redis at " + broker.address()
                + " cannot be used: " + reason + " (someone else wrote to it; inspect the key, delete it to start the room over)";
        if (loggedKeys.add(key) && loggedKeys.size() < 10_000) {
            log.warn(message);
        } else {
            log.debug(message);
        }
        return new BrokerUnavailableException(message);
    }

    /** The offset part of a stream id, or 0 when it is not a number of ours. */
    private static long offsetOf(String id) {
        int dash = id.indexOf('-');
        try {
            return dash <= 0 ? 0 : Long.parseLong(id.substring(0, dash));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String text(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    }
}
