package io.geows.kafka.internal;

import io.geows.BrokerUnavailableException;
import io.geows.spi.BrokerMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
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
 * <p>Everything about partitions happens on the pump's thread; other threads hand it commands.
 */
public final class Pump implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Pump.class);
    private static final Duration POLL = Duration.ofMillis(100);

    /** What an append's record turned out to be once the pump read it. */
    public record Outcome(long roomOffset, boolean duplicate) {
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final Names names;
    private final long windowMillis;
    private final Duration timeout;
    private final BiConsumer<String, BrokerMessage> deliver;
    private final Thread thread;
    private final BlockingQueue<Runnable> commands = new LinkedBlockingQueue<>();
    private final Map<TopicPartition, Part> parts = new HashMap<>();
    private volatile boolean running = true;
    private volatile boolean paused;
    private volatile boolean polling;
    private volatile String roomsTopicId = "";

    /** One assigned partition's state (pump thread only). */
    private static final class Part {
        final boolean rooms;
        /** Records below this offset only feed the key index (caught up, not delivered). */
        long deliverFrom;
        /** The next offset to read. */
        long position;
        final Map<String, Long> lastByRoom = new HashMap<>();
        /** room + "\n" + key -> {kafka offset, timestamp}, oldest first. */
        final LinkedHashMap<String, long[]> index = new LinkedHashMap<>();
        final TreeMap<Long, List<Runnable>> waiters = new TreeMap<>();

        Part(boolean rooms) {
            this.rooms = rooms;
        }
    }

    public Pump(KafkaConsumer<String, byte[]> consumer, Names names, Duration dedupWindow, Duration timeout,
                BiConsumer<String, BrokerMessage> deliver, String threadName) {
        this.consumer = consumer;
        this.names = names;
        this.windowMillis = dedupWindow.toMillis();
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
                Part p = new Part(rooms);
                p.deliverFrom = end;
                p.position = start;
                parts.put(tp, p);
                consumer.assign(new ArrayList<>(parts.keySet()));
                consumer.seek(tp, start);
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
        submit(() -> {
            Part p = parts.get(tp);
            if (p == null) {
                done.completeExceptionally(new IllegalStateException("partition " + tp + " not assigned"));
                return;
            }
            Runnable answer = () -> {
                long[] first = p.index.get(room + "\n" + key);
                if (first != null && first[0] < kafkaOffset) {
                    done.complete(new Outcome(first[0] + 1, true));
                } else {
                    done.complete(new Outcome(kafkaOffset + 1, false));
                }
            };
            if (p.position > kafkaOffset) {
                answer.run();
            } else {
                p.waiters.computeIfAbsent(kafkaOffset, o -> new ArrayList<>()).add(answer);
            }
        });
        return done;
    }

    /** The first record with this key in the partition's current window, as a room offset, if any. */
    public CompletableFuture<Long> knownKey(TopicPartition tp, String room, String key) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        submit(() -> {
            Part p = parts.get(tp);
            long[] first = p == null ? null : p.index.get(room + "\n" + key);
            done.complete(first == null ? null : first[0] + 1);
        });
        return done;
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
                    p.index.clear();
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
        while (!p.waiters.isEmpty() && p.waiters.firstKey() < p.position) {
            p.waiters.pollFirstEntry().getValue().forEach(Runnable::run);
        }
    }

    private void read(TopicPartition tp, Part p, ConsumerRecord<String, byte[]> r) {
        String topic = header(r, Names.TOPIC_HEADER);
        if (!p.rooms) {
            if (topic != null && !paused && r.offset() >= p.deliverFrom && r.value() != null) {
                deliver.accept(topic, new BrokerMessage(topic, r.value(), 0, null));
            }
            return;
        }
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
        // forget keys older than the window
        for (Iterator<long[]> it = p.index.values().iterator(); it.hasNext(); ) {
            if (it.next()[1] >= r.timestamp() - windowMillis) {
                break;
            }
            it.remove();
        }
        String id = room + "\n" + key;
        long[] first = p.index.get(id);
        if (first != null && first[0] < r.offset()) {
            return; // a repeat of a key within the window: the first record wins, everywhere
        }
        p.index.put(id, new long[] {r.offset(), r.timestamp()});
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
