package io.geows.memory;

import io.geows.BrokerUnavailableException;
import io.geows.spi.Appended;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerMessage;
import io.geows.spi.HistorySlice;
import io.geows.spi.Position;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A broker that lives in one JVM: publish/subscribe, room history and presence in memory, shared by
 * every node {@link #connect connected} to it. It is the embedded default of
 * {@link io.geows.GeoWsNode} and lets several nodes, in several regions, run in one process.
 *
 * <p>Tests can make it fail on purpose, through the testkit's {@code MemoryBrokerFaults}: the whole
 * broker unreachable (operations fail with {@link BrokerUnavailableException}, nothing is delivered)
 * until it recovers, one connection cut (one node partitioned), or every room's history lost with new
 * epochs, as a broker restarted without persistence would.
 *
 * <p>Threading: thread-safe. Each connection delivers its messages, events and results on its own
 * thread, in order.
 *
 * @since 0.1.0
 */
public final class InMemoryBroker {
    static {
        // Its fault switches are for the testkit, not the API.
        io.geows.internal.MemoryFaults.install(new io.geows.internal.MemoryFaults.Switches() {
            @Override
            public void fail(InMemoryBroker broker) {
                broker.fail();
            }

            @Override
            public void recover(InMemoryBroker broker) {
                broker.recover();
            }

            @Override
            public boolean isFailed(InMemoryBroker broker) {
                return broker.isFailed();
            }

            @Override
            public void loseHistory(InMemoryBroker broker) {
                broker.loseHistory();
            }

            @Override
            public void cut(InMemoryConnection connection) {
                connection.cut();
            }

            @Override
            public void restore(InMemoryConnection connection) {
                connection.restore();
            }
        });
    }

    /** Messages kept per room: {@value}. */
    public static final int DEFAULT_HISTORY_SIZE = 10_000;
    /** How long a message stays in history: one hour. */
    public static final Duration DEFAULT_HISTORY_TTL = Duration.ofHours(1);

    private final Object lock = new Object();
    private final int historySize;
    private final long historyTtlNanos;
    private final Map<String, Set<InMemoryConnection.Sub>> topics = new HashMap<>();
    private final Map<String, RoomLog> rooms = new HashMap<>();
    private final Set<InMemoryConnection> connections = new CopyOnWriteArraySet<>();
    private final AtomicInteger connectionIds = new AtomicInteger();
    final InMemoryPresence presence = new InMemoryPresence();
    private boolean failed;
    /** One epoch for all rooms; a new one whenever history is lost. */
    private String epoch = newEpoch();

    /** A broker with the default history size and time-to-live. */
    public InMemoryBroker() {
        this(DEFAULT_HISTORY_SIZE, DEFAULT_HISTORY_TTL);
    }

    /**
     * A broker with its own history bounds.
     *
     * @param historySize messages kept per room, at least 1
     * @param historyTtl  how long a message is kept, positive
     */
    public InMemoryBroker(int historySize, Duration historyTtl) {
        if (historySize < 1) {
            throw new IllegalArgumentException("historySize must be >= 1, was " + historySize);
        }
        Objects.requireNonNull(historyTtl, "historyTtl");
        if (historyTtl.isNegative() || historyTtl.isZero()) {
            throw new IllegalArgumentException("historyTtl must be positive, was " + historyTtl);
        }
        this.historySize = historySize;
        this.historyTtlNanos = historyTtl.toNanos();
    }

    /**
     * A new connection to this broker, for one node. The node owns it and closes it.
     *
     * @param name a name for logs and the delivery thread (e.g. the node id)
     */
    public InMemoryConnection connect(String name) {
        Objects.requireNonNull(name, "name");
        InMemoryConnection c = new InMemoryConnection(this, name + "#" + connectionIds.incrementAndGet());
        connections.add(c);
        return c;
    }

    /** A new connection named after a counter. */
    public BrokerAdapter connect() {
        return connect("memory");
    }

    /** Makes the broker unreachable for every connection until {@link #recover()}. */
    void fail() {
        synchronized (lock) {
            if (failed) {
                return;
            }
            failed = true;
            // Under the lock: no delivery can slip in between the state change and the event.
            connections.forEach(InMemoryConnection::brokerFailed);
        }
    }

    /** Ends a {@link #fail()}: connections that were not cut report restored. */
    void recover() {
        synchronized (lock) {
            if (!failed) {
                return;
            }
            failed = false;
            // Under the lock, so RESTORED is queued before any message published after it.
            connections.forEach(InMemoryConnection::brokerRecovered);
        }
    }

    /** Runs a connection's state change atomically with respect to deliveries. */
    void atomically(Runnable change) {
        synchronized (lock) {
            change.run();
        }
    }

    /** Whether {@link #fail()} is in effect. */
    boolean isFailed() {
        synchronized (lock) {
            return failed;
        }
    }

    /**
     * Drops the history of every room; the next append starts a new epoch at offset 1, as a broker
     * restarted without persistence would.
     */
    void loseHistory() {
        synchronized (lock) {
            rooms.clear();
            epoch = newEpoch();
        }
    }

    private static String newEpoch() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * How many subscriptions a topic has right now, over all connections. Lets tests and
     * diagnostics check interest-based routing: a node holds a room topic only while it has a local
     * member.
     */
    public int subscriberCount(String topic) {
        synchronized (lock) {
            Set<InMemoryConnection.Sub> subs = topics.get(topic);
            return subs == null ? 0 : subs.size();
        }
    }

    void removeConnection(InMemoryConnection c) {
        connections.remove(c);
        synchronized (lock) {
            topics.values().forEach(subs -> subs.removeIf(s -> s.connection == c));
        }
    }

    void addSubscription(InMemoryConnection.Sub sub) {
        synchronized (lock) {
            checkReachable(sub.connection);
            topics.computeIfAbsent(sub.topic, t -> new CopyOnWriteArraySet<>()).add(sub);
        }
    }

    void removeSubscription(InMemoryConnection.Sub sub) {
        synchronized (lock) {
            Set<InMemoryConnection.Sub> subs = topics.get(sub.topic);
            if (subs != null) {
                subs.remove(sub);
                if (subs.isEmpty()) {
                    topics.remove(sub.topic);
                }
            }
        }
    }

    void publish(InMemoryConnection from, String topic, byte[] payload) {
        synchronized (lock) {
            checkReachable(from);
            fanOut(new BrokerMessage(topic, payload, 0, null));
        }
    }

    Appended append(InMemoryConnection from, String room, String key, String topic, byte[] payload) {
        synchronized (lock) {
            checkReachable(from);
            RoomLog log = rooms.computeIfAbsent(room, r -> new RoomLog(epoch));
            long now = System.nanoTime();
            log.expire(now, historyTtlNanos);
            Long existing = log.keys.get(key);
            if (existing != null) {
                return new Appended(existing, log.epoch, true);
            }
            long previous = log.top;
            long offset = ++log.top;
            BrokerMessage m = new BrokerMessage(topic, payload, offset, log.epoch, previous, key);
            log.entries.addLast(new Entry(m, key, now));
            log.keys.put(key, offset);
            var limit = from.retention().of(room).orElse(null);
            int max = limit == null || limit.maxMessages() == 0 ? historySize : Math.min(historySize, limit.maxMessages());
            while (log.entries.size() > max) {
                log.keys.remove(log.entries.removeFirst().key);
            }
            retain(from, room, log, now);
            // Appending and publishing under one lock is what keeps offsets and delivery order equal.
            fanOut(m);
            return new Appended(offset, log.epoch, false);
        }
    }

    HistorySlice readAfter(InMemoryConnection from, String room, long afterOffset, int limit) {
        synchronized (lock) {
            checkReachable(from);
            RoomLog log = rooms.get(room); // reads never create state: room names come from clients
            if (log == null) {
                return new HistorySlice(epoch, 0, List.of(), true);
            }
            long now = System.nanoTime();
            log.expire(now, historyTtlNanos);
            retain(from, room, log, now);
            long oldest = log.entries.isEmpty() ? log.top + 1 : log.entries.peekFirst().message.offset();
            boolean complete = afterOffset >= oldest - 1 || afterOffset >= log.top;
            List<BrokerMessage> out = new ArrayList<>();
            for (Entry e : log.entries) {
                if (out.size() >= limit) {
                    break;
                }
                if (e.message.offset() > afterOffset) {
                    out.add(e.message);
                }
            }
            return new HistorySlice(log.epoch, log.top, out, complete);
        }
    }

    Position position(InMemoryConnection from, String room) {
        synchronized (lock) {
            checkReachable(from);
            RoomLog log = rooms.get(room);
            return log == null ? new Position(0, epoch) : new Position(log.top, log.epoch);
        }
    }

    long eraseSender(InMemoryConnection from, String user) {
        synchronized (lock) {
            checkReachable(from);
            String prefix = user + "\n";
            long removed = 0;
            for (RoomLog log : rooms.values()) {
                int before = log.entries.size();
                log.entries.removeIf(e -> e.key.startsWith(prefix)); // keys stay known: a repeat is a duplicate
                removed += before - log.entries.size();
            }
            return removed;
        }
    }

    /** Drops what the room's retention rule (the connection's) no longer keeps by age. */
    private static void retain(InMemoryConnection from, String room, RoomLog log, long now) {
        var limit = from.retention().of(room).orElse(null);
        if (limit != null && limit.maxAge() != null) {
            log.expire(now, limit.maxAge().toNanos());
        }
    }

    void checkReachable(InMemoryConnection c) {
        if (failed || !c.isConnected()) {
            throw BrokerUnavailableException.disconnected("memory:" + c.name());
        }
    }

    private void fanOut(BrokerMessage m) {
        Set<InMemoryConnection.Sub> subs = topics.get(m.topic());
        if (subs == null) {
            return;
        }
        for (InMemoryConnection.Sub s : subs) {
            s.connection.deliver(s, m);
        }
    }

    private record Entry(BrokerMessage message, String key, long appendedNanos) {
    }

    private static final class RoomLog {
        final String epoch;
        final ArrayDeque<Entry> entries = new ArrayDeque<>();
        final Map<String, Long> keys = new HashMap<>();
        long top;

        RoomLog(String epoch) {
            this.epoch = epoch;
        }

        void expire(long now, long ttlNanos) {
            while (!entries.isEmpty() && now - entries.peekFirst().appendedNanos > ttlNanos) {
                keys.remove(entries.removeFirst().key);
            }
        }
    }
}
