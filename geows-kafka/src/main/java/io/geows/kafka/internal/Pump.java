package io.geows.kafka.internal;

import io.geows.BrokerUnavailableException;
import io.geows.spi.BrokerMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one consumer, on a thread of its own: the partitions it was asked for (assigned by
 * hand, no consumer group), their records delivered in order to {@code deliver}, and for the rooms
 * topic the first-wins rule on message keys and the appends waiting for their record.
 *
 * <p>Everything about partitions happens on the pump's thread; other threads hand it commands. The
 * hot path of an append takes no command: whether a partition is assigned, whether a key is known
 * and the wait for the record read back are answered from state the pump shares (concurrent maps,
 * the key index under its lock), so the pump is never woken from its poll for them.
 */
public final class Pump implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Pump.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final int MAX_REPEATS = 10_000;

    /** What an append's record turned out to be once the pump read it. */
    public record Outcome(long roomOffset, boolean duplicate) {
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final Names names;
    private final long windowMillis;
    private final int maxKeys;
    private final Duration timeout;
    private final BiConsumer<String, BrokerMessage> deliver;
    private final Thread thread;
    private final BlockingQueue<Runnable> commands = new LinkedBlockingQueue<>();
    private final Map<TopicPartition, Part> parts = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile boolean paused;
    private volatile boolean polling;
    private volatile String roomsTopicId = "";

    /**
     * One assigned partition's state: written by the pump's thread only; {@code position},
     * {@code repeats} and {@code waiters} are read by others too.
     */
    private static final class Part {
        final boolean rooms;
        /** Records below this offset only feed the key index (caught up, not delivered). */
        long deliverFrom;
        /** The next offset to read (set before the waiters below it are answered). */
        volatile long position;
        final Map<String, Long> lastByRoom = new HashMap<>();
        /** The first-wins rule (rooms partitions); its lock guards it ({@link #knownKey} reads it). */
        final KeyIndex index;
        /** Kafka offset of a recent repeat -> Kafka offset of its first record (rare; for appends' answers). */
        final Map<Long, Long> repeats = java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
                return size() > MAX_REPEATS;
            }
        });
        /** Appends waiting for their record, by its Kafka offset. */
        final ConcurrentSkipListMap<Long, Queue<Runnable>> waiters = new ConcurrentSkipListMap<>();

        Part(boolean rooms, long windowMillis, int maxKeys) {
            this.rooms = rooms;
            this.index = rooms ? new KeyIndex(windowMillis, maxKeys) : null;
        }
    }

    public Pump(KafkaConsumer<String, byte[]> consumer, Names names, Duration dedupWindow, int dedupKeys, Duration timeout,
                BiConsumer<String, BrokerMessage> deliver, String threadName) {
        this.consumer = consumer;
        this.names = names;
        this.windowMillis = dedupWindow.toMillis();
        this.maxKeys = dedupKeys;
        this.timeout = timeout;
        this.deliver = deliver;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** The rooms topic's id (from the adapter's metadata), which the epochs are made of. */
    public void roomsTopicId(String id) {
        this.roomsTopicId = id;
    }

    /** The epoch of a rooms partition. */
    public String epoch(int partition) {
        return roomsTopicId + "-" + partition;
    }

    /**
     * Assigns the partition if it is not yet: a bus partition from its end, a rooms partition from
     * one dedup window back (indexed, not delivered) with delivery from its end. Completes once
     * every record produced after it completes will be read.
     */
    public CompletableFuture<Void> assign(TopicPartition tp) {
        if (parts.containsKey(tp)) {
            return CompletableFuture.completedFuture(null); // put by the pump only once its consumer was seeked
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        submit(() -> {
            if (parts.containsKey(tp)) {
                done.complete(null);
                return;
            }
            try {
                boolean rooms = tp.topic().equals(names.rooms());
                long end = blocking(() -> consumer.endOffsets(List.of(tp), timeout)).get(tp);
                long start = end;
                if (rooms) {
                    Map<TopicPartition, OffsetAndTimestamp> back = blocking(() -> consumer.offsetsForTimes(
                            Map.of(tp, System.currentTimeMillis() - windowMillis), timeout));
                    OffsetAndTimestamp found = back.get(tp);
                    if (found != null) {
                        start = Math.min(found.offset(), end);
                    }
                }
                Part p = new Part(rooms, windowMillis, maxKeys);
                p.deliverFrom = end;
                p.position = start;
                List<TopicPartition> assigned = new ArrayList<>(parts.keySet());
                assigned.add(tp);
                consumer.assign(assigned);
                consumer.seek(tp, start);
                parts.put(tp, p);
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(new BrokerUnavailableException("Kafka did not answer for partition " + tp
                        + " within " + timeout.toMillis() + " ms (" + e.getClass().getSimpleName() + "); retry later", e));
            }
        });
        return done;
    }

    /**
     * Completes when the pump has read the record an append wrote at {@code kafkaOffset}: with its
     * room offset, or the first record's when the key was there before (a duplicate).
     */
    public CompletableFuture<Outcome> awaitAppend(TopicPartition tp, long kafkaOffset, String room, String key) {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        Part p = parts.get(tp);
        if (p == null) {
            done.completeExceptionally(new IllegalStateException("partition " + tp + " not assigned"));
            return done;
        }
        Runnable answer = () -> {
            Long first = p.repeats.get(kafkaOffset);
            done.complete(first != null ? new Outcome(first + 1, true) : new Outcome(kafkaOffset + 1, false));
        };
        // The pump sets the position before it answers the waiters below it: whichever of the two
        // sees the record read answers (completing twice is harmless), and no command wakes the pump.
        p.waiters.computeIfAbsent(kafkaOffset, o -> new ConcurrentLinkedQueue<>()).add(answer);
        if (p.position > kafkaOffset) {
            answer.run();
        }
        return done;
    }


    /**
     * The first record of this (room, key) the pump has read in the current window, as a room
     * offset, or null (a record not yet read is caught when the append is read back). Spares the
     * log a record that would only be skipped.
     */
    public Long knownKey(TopicPartition tp, String room, String key) {
        Part p = parts.get(tp);
        if (p == null || p.index == null) {
            return null;
        }
        long first;
        synchronized (p.index) {
            first = p.index.firstOf(room, key, System.currentTimeMillis());
        }
        return first < 0 ? null : first + 1;
    }

    /**
     * The rooms topic was created again (its history is gone): a new epoch, and every assigned rooms
     * partition reads the new log from its start.
     */
    public CompletableFuture<Void> resetRooms(String topicId) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        submit(() -> {
            roomsTopicId = topicId;
            parts.forEach((tp, p) -> {
                if (p.rooms) {
                    synchronized (p.index) {
                        p.index.clear();
                    }
                    p.repeats.clear();
                    p.lastByRoom.clear();
                    p.deliverFrom = 0;
                    p.position = 0;
                    consumer.seek(tp, 0);
                    answerWaiters(p); // appends to the old log: answered from what is known (nothing)
                }
            });
            done.complete(null);
        });
        return done;
    }

    /** Stops delivering (the broker is lost): nothing is delivered until {@link #restore}. */
    public void pause() {
        paused = true;
    }

    /**
     * After an outage: every assigned partition delivers from its current end (what came meanwhile
     * is indexed, not delivered: the node reads it from history), then {@code restored} runs on the
     * pump's thread before any further record is delivered.
     */
    public CompletableFuture<Void> restore(Runnable restored) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        submit(() -> {
            try {
                if (!parts.isEmpty()) {
                    Map<TopicPartition, Long> ends = blocking(() -> consumer.endOffsets(new ArrayList<>(parts.keySet()), timeout));
                    ends.forEach((tp, end) -> {
                        Part p = parts.get(tp);
                        p.deliverFrom = end;
                        if (!p.rooms) {
                            consumer.seek(tp, end);
                            p.position = end;
                        }
                    });
                }
                paused = false;
                restored.run();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    private void submit(Runnable command) {
        commands.add(command);
        if (polling) {
            consumer.wakeup();
        }
    }

    /**
     * A blocking consumer call made by a command: a wakeup meant for a poll that had just ended
     * makes the next blocking call throw instead, so that one is made again.
     */
    private <T> T blocking(java.util.function.Supplier<T> call) {
        for (int attempt = 0; ; attempt++) {
            try {
                return call.get();
            } catch (WakeupException e) {
                if (attempt >= 2) {
                    throw e;
                }
            }
        }
    }

    private void run() {
        while (running) {
            try {
                Runnable c;
                while ((c = commands.poll()) != null) {
                    c.run();
                }
                if (parts.isEmpty()) {
                    c = commands.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
                    if (c != null) {
                        c.run();
                    }
                    continue;
                }
                polling = true;
                if (!commands.isEmpty()) {
                    polling = false;
                    continue;
                }
                ConsumerRecords<String, byte[]> records;
                try {
                    records = consumer.poll(POLL);
                } finally {
                    polling = false;
                }
                for (TopicPartition tp : records.partitions()) {
                    Part p = parts.get(tp);
                    if (p == null) {
                        continue;
                    }
                    for (ConsumerRecord<String, byte[]> r : records.records(tp)) {
                        if (r.offset() < p.position) {
                            continue; // read again after a seek back
                        }
                        read(tp, p, r);
                        p.position = r.offset() + 1;
                        answerWaiters(p);
                    }
                }
            } catch (WakeupException e) {
                // a command arrived
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("Kafka consumer: {}", e.toString());
                }
            }
        }
    }

    private void answerWaiters(Part p) {
        Map.Entry<Long, Queue<Runnable>> first;
        while ((first = p.waiters.firstEntry()) != null && first.getKey() < p.position) {
            if (p.waiters.remove(first.getKey(), first.getValue())) {
                first.getValue().forEach(Runnable::run);
            }
        }
    }

    private void read(TopicPartition tp, Part p, ConsumerRecord<String, byte[]> r) {
        if (!p.rooms) {
            String topic = r.key(); // bus records are keyed by their geows topic
            if (topic != null && !paused && r.offset() >= p.deliverFrom && r.value() != null) {
                deliver.accept(topic, new BrokerMessage(topic, r.value(), 0, null));
            }
            return;
        }
        String topic = header(r, Names.TOPIC_HEADER);
        String room = r.key();
        String key = header(r, Names.KEY_HEADER);
        if (topic == null || r.value() == null) {
            return; // not for any geows topic
        }
        if (key == null || room == null) {
            // published to a room's topic without history (presence events), in the room's order
            if (!paused && r.offset() >= p.deliverFrom) {
                deliver.accept(topic, new BrokerMessage(topic, r.value(), 0, null));
            }
            return;
        }
        long first;
        synchronized (p.index) {
            first = p.index.offer(room, key, r.offset(), r.timestamp());
        }
        if (first != r.offset()) {
            p.repeats.put(r.offset(), first);
            return; // a repeat of a key within the window: the first record wins, everywhere
        }
        long roomOffset = r.offset() + 1;
        Long previous = p.lastByRoom.put(room, roomOffset);
        if (!paused && r.offset() >= p.deliverFrom) {
            deliver.accept(topic, new BrokerMessage(topic, r.value(), roomOffset, epoch(tp.partition()),
                    previous == null ? BrokerMessage.UNKNOWN : previous, key));
        }
    }

    static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        commands.add(() -> { });
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            consumer.close(Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            log.debug("closing the consumer", e);
        }
    }
}
