package io.geows.kafka.internal;

import io.geows.spi.Appended;
import io.geows.spi.BrokerMessage;
import io.geows.spi.History;
import io.geows.spi.HistorySlice;
import io.geows.spi.Position;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Room history in the rooms topic (see the design notes): a room's offsets are its partition's
 * offsets plus one (history offsets start at 1), its epoch the topic id and the partition. Appends
 * are produced and answered once the pump read them back (so a repeated key is answered with the
 * first one's offset); reads go through a consumer of their own on one reader thread.
 */
public final class KafkaHistory implements History {
    private static final Duration READ_POLL = Duration.ofMillis(200);

    private final Names names;
    private final io.geows.Topics topics;
    private final int partitions;
    private final Pump pump;
    private final Producing producing;
    private final KafkaConsumer<String, byte[]> reader;
    private final ExecutorService readerThread;
    private final long windowMillis;
    private final int maxKeys;
    private final Duration timeout;
    private final Function<Throwable, RuntimeException> unavailable;
    private volatile io.geows.Retention retention = io.geows.Retention.none();
    /** Erased users and when (record time, ms), as read from the erased topic; reader thread only. */
    private final Map<String, Long> erased = new java.util.HashMap<>();
    private long erasedRead;

    /** Produces a record and completes with its Kafka offset; fails fast while the broker is lost. */
    public interface Producing {
        CompletableFuture<Long> send(ProducerRecord<String, byte[]> record);
    }

    public KafkaHistory(Names names, io.geows.Topics topics, int partitions, Pump pump, Producing producing, KafkaConsumer<String, byte[]> reader,
                        ExecutorService readerThread, Duration dedupWindow, int dedupKeys, Duration timeout,
                        Function<Throwable, RuntimeException> unavailable) {
        this.names = names;
        this.topics = topics;
        this.partitions = partitions;
        this.pump = pump;
        this.producing = producing;
        this.reader = reader;
        this.readerThread = readerThread;
        this.windowMillis = dedupWindow.toMillis();
        this.maxKeys = dedupKeys;
        this.timeout = timeout;
        this.unavailable = unavailable;
    }

    /** The rooms partition of a room: by its geows topic, as {@code subscribe} and {@code publish} find it. */
    public TopicPartition partitionOf(String room) {
        return names.roomsPartition(topics.room(room), partitions);
    }

    @Override
    public CompletableFuture<Appended> append(String room, String messageKey, String topic, byte[] payload) {
        TopicPartition tp = partitionOf(room);
        String epoch = pump.epoch(tp.partition());
        return pump.assign(tp).thenCompose(v -> {
            Long first = pump.knownKey(tp, room, messageKey);
            if (first != null) {
                return CompletableFuture.completedFuture(new Appended(first, epoch, true));
            }
            RecordHeaders headers = new RecordHeaders();
            headers.add(Names.TOPIC_HEADER, topic.getBytes(StandardCharsets.UTF_8));
            headers.add(Names.KEY_HEADER, messageKey.getBytes(StandardCharsets.UTF_8));
            return producing.send(new ProducerRecord<>(tp.topic(), tp.partition(), room, payload, headers))
                    // stored (acks=all); answered once read back: a repeat of the key is then known
                    .thenCompose(kafkaOffset -> pump.awaitAppend(tp, kafkaOffset, room, messageKey)
                            .orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                            .exceptionally(e -> {
                                throw unavailable.apply(new IllegalStateException("the record of '" + messageKey
                                        + "' was stored but not read back in time; sending it again is safe", e));
                            }))
                    .thenApply(o -> new Appended(o.roomOffset(), epoch, o.duplicate()));
        });
    }

    /**
     * Retention per room pattern, applied by readers: a Kafka log cannot drop one room's records, so
     * records a rule no longer keeps (beyond its count, older than its age) are skipped by every read
     * and a read from before them answers incomplete; they leave the disk with the rooms topic's own
     * retention ({@code KafkaBroker.Builder.retention}), which should be no longer than the shortest rule.
     */
    @Override
    public void retention(io.geows.Retention rules) {
        this.retention = java.util.Objects.requireNonNull(rules, "rules");
    }

    /**
     * A Kafka log cannot remove one record, so erasure hides: the user goes into the compacted erased
     * topic with the time of the erasure, every read skips their records from before it, and the
     * records leave the disk with the rooms topic's retention. Completes with how many records of
     * the user were visible before (a scan of the whole rooms topic: an operator's operation, not a
     * hot path).
     */
    @Override
    public CompletableFuture<Long> eraseSender(String user) {
        long at = System.currentTimeMillis();
        TopicPartition erasedTp = new TopicPartition(names.erased(), 0);
        // What was hidden already (an earlier erasure) is not counted again.
        return onReader(() -> {
            refreshErased();
            return erased.getOrDefault(user, -1L);
        }).thenCompose(before -> producing.send(new ProducerRecord<>(erasedTp.topic(), 0, user,
                        Long.toString(at).getBytes(StandardCharsets.UTF_8)))
                .thenCompose(offset -> onReader(() -> {
                    long hidden = countVisible(user, Math.min(before, at), at);
                    erased.merge(user, at, Math::max);
                    return hidden;
                })));
    }

    /** Records of the user stamped in (after, upTo], over every partition of the rooms topic. */
    private long countVisible(String user, long after, long upTo) {
        String prefix = user + "\n";
        long count = 0;
        for (int p = 0; p < partitions; p++) {
            TopicPartition tp = new TopicPartition(names.rooms(), p);
            reader.assign(List.of(tp));
            long begin = reader.beginningOffsets(List.of(tp), timeout).get(tp);
            long end = reader.endOffsets(List.of(tp), timeout).get(tp);
            reader.seek(tp, begin);
            long position = begin;
            long deadline = System.nanoTime() + timeout.toNanos() * 4;
            while (position < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("counting the records of an erased user did not reach offset " + end);
                }
                for (ConsumerRecord<String, byte[]> r : reader.poll(READ_POLL).records(tp)) {
                    position = r.offset() + 1;
                    String key = Pump.header(r, Names.KEY_HEADER);
                    if (r.offset() < end && key != null && key.startsWith(prefix) && r.timestamp() > after
                            && r.timestamp() <= upTo) {
                        count++;
                    }
                }
            }
        }
        return count;
    }

    /** Reads what the erased topic gained since the last look. On the reader thread. */
    private void refreshErased() {
        TopicPartition tp = new TopicPartition(names.erased(), 0);
        reader.assign(List.of(tp));
        long end = reader.endOffsets(List.of(tp), timeout).get(tp);
        if (erasedRead >= end) {
            return;
        }
        long begin = reader.beginningOffsets(List.of(tp), timeout).get(tp);
        reader.seek(tp, Math.max(begin, erasedRead));
        long position = Math.max(begin, erasedRead);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (position < end && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : reader.poll(READ_POLL).records(tp)) {
                position = r.offset() + 1;
                if (r.key() != null && r.value() != null) {
                    try {
                        erased.merge(r.key(), Long.parseLong(new String(r.value(), StandardCharsets.UTF_8)), Math::max);
                    } catch (NumberFormatException e) {
                        // not written by an adapter: ignored
                    }
                }
            }
        }
        erasedRead = position;
    }

    /** Whether a room record belongs to an erased user and predates the erasure. */
    private boolean erasedRecord(String key, long timestamp) {
        if (erased.isEmpty()) {
            return false;
        }
        int nl = key.indexOf('\n');
        Long at = nl < 0 ? null : erased.get(key.substring(0, nl));
        return at != null && timestamp <= at;
    }

    @Override
    public CompletableFuture<HistorySlice> readAfter(String room, long afterOffset, int limit) {
        TopicPartition tp = partitionOf(room);
        return onReader(() -> read(tp, room, afterOffset, limit));
    }

    @Override
    public CompletableFuture<Position> position(String room) {
        TopicPartition tp = partitionOf(room);
        return onReader(() -> new Position(lastOfRoom(tp, room), pump.epoch(tp.partition())));
    }

    private <T> CompletableFuture<T> onReader(Supplier<T> work) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return work.get();
            } catch (RuntimeException e) {
                throw unavailable.apply(e);
            }
        }, readerThread);
    }

    /**
     * The room's last offset (0 if the log holds none): read backwards from the end in growing steps
     * until a record of the room turns up. (An idle room in a long log costs a long read: a room-head
     * index is the next step if that shows.)
     */
    private long lastOfRoom(TopicPartition tp, String room) {
        reader.assign(List.of(tp));
        long begin = reader.beginningOffsets(List.of(tp), timeout).get(tp);
        long upTo = reader.endOffsets(List.of(tp), timeout).get(tp);
        long step = 256;
        while (upTo > begin) {
            long from = Math.max(begin, upTo - step);
            long last = scanForRoom(tp, room, from, upTo);
            if (last > 0) {
                return last;
            }
            upTo = from;
            step *= 4;
        }
        return 0;
    }

    /** The room offset of the room's last record (with a key) in [from, upTo), or 0. */
    private long scanForRoom(TopicPartition tp, String room, long from, long upTo) {
        List<Long> records = roomRecords(tp, room, from, upTo);
        return records.isEmpty() ? 0 : records.get(records.size() - 1) + 1;
    }

    /**
     * The Kafka offset of the room's {@code n}-th last keyed record in [begin, end), or {@code begin}
     * when it has fewer: read backwards in growing steps, as {@link #lastOfRoom} does.
     */
    private long nthLastOfRoom(TopicPartition tp, String room, int n, long begin, long end) {
        java.util.ArrayDeque<Long> found = new java.util.ArrayDeque<>();
        long upTo = end;
        long step = Math.max(256, 4L * n);
        while (upTo > begin) {
            long from = Math.max(begin, upTo - step);
            List<Long> chunk = roomRecords(tp, room, from, upTo);
            for (int i = chunk.size() - 1; i >= 0; i--) {
                found.addLast(chunk.get(i));
                if (found.size() == n) {
                    return found.peekLast();
                }
            }
            upTo = from;
            step *= 4;
        }
        return begin;
    }

    /** The Kafka offsets of the room's keyed records in [from, upTo), in order. */
    private List<Long> roomRecords(TopicPartition tp, String room, long from, long upTo) {
        reader.seek(tp, from);
        long position = from;
        List<Long> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (position < upTo) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("reading back for room '" + room + "' did not reach offset " + upTo);
            }
            for (ConsumerRecord<String, byte[]> r : reader.poll(READ_POLL).records(tp)) {
                position = r.offset() + 1;
                if (r.offset() >= upTo) {
                    break;
                }
                if (room.equals(r.key()) && Pump.header(r, Names.KEY_HEADER) != null) {
                    out.add(r.offset());
                }
            }
        }
        return out;
    }

    /** On the reader thread. Room offset {@code afterOffset} is Kafka offset {@code afterOffset - 1}. */
    private HistorySlice read(TopicPartition tp, String room, long afterOffset, int limit) {
        refreshErased();
        String epoch = pump.epoch(tp.partition());
        reader.assign(List.of(tp));
        long begin = reader.beginningOffsets(List.of(tp), timeout).get(tp);
        long end = reader.endOffsets(List.of(tp), timeout).get(tp);
        long firstWanted = Math.max(afterOffset, 0); // Kafka offset of room offset afterOffset + 1
        // Nothing after the reader's position was deleted by retention: every message is still there.
        boolean complete = begin <= firstWanted;
        long from = Math.max(firstWanted, begin);
        // Keys of the window before it, so repeats are dropped as the live pump drops them.
        Map<TopicPartition, OffsetAndTimestamp> back = reader.offsetsForTimes(
                Map.of(tp, System.currentTimeMillis() - windowMillis), timeout);
        OffsetAndTimestamp windowStart = back.get(tp);
        long seekTo = windowStart != null ? Math.max(begin, Math.min(from, windowStart.offset())) : from;
        List<BrokerMessage> out = new ArrayList<>();
        if (from >= end) {
            return new HistorySlice(epoch, lastOfRoom(tp, room), out, complete);
        }
        // the live pump's rule, over every room's keyed records of the partition (the key cap counts them all)
        KeyIndex index = new KeyIndex(windowMillis, maxKeys);
        long previous = BrokerMessage.UNKNOWN;
        long position = seekTo;
        int rejected = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        long top = 0;
        io.geows.Retention.Limit kept = retention.of(room).orElse(null);
        long floor = kept != null && kept.maxMessages() > 0 ? nthLastOfRoom(tp, room, kept.maxMessages(), begin, end) : -1;
        long cutoff = kept != null && kept.maxAge() != null ? System.currentTimeMillis() - kept.maxAgeMillis() : -1;
        reader.seek(tp, seekTo);
        while (position < end) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("history read of room '" + room + "' did not reach offset " + end);
            }
            for (ConsumerRecord<String, byte[]> r : reader.poll(READ_POLL).records(tp)) {
                position = r.offset() + 1;
                if (r.offset() >= end) {
                    break;
                }
                String key = Pump.header(r, Names.KEY_HEADER);
                String topic = Pump.header(r, Names.TOPIC_HEADER);
                boolean keyed = key != null && topic != null && r.key() != null && r.value() != null;
                if (keyed && index.offer(r.key(), key, r.offset(), r.timestamp()) != r.offset()) {
                    continue; // a repeat within the window: the first record wins
                }
                if (!room.equals(r.key())) {
                    continue;
                }
                if (topic == null || r.value() == null) {
                    if (r.offset() >= from) {
                        rejected++; // not written by an adapter
                    }
                    continue;
                }
                if (key == null) {
                    continue; // published without history (presence events)
                }
                long roomOffset = r.offset() + 1;
                top = roomOffset;
                if (erasedRecord(key, r.timestamp())) {
                    previous = BrokerMessage.UNKNOWN; // erased: gone from every read, its offset stays taken
                    continue;
                }
                if (r.offset() < floor || r.timestamp() < cutoff) {
                    if (r.offset() >= from) {
                        complete = false; // a record after the reader's position that the room's rule no longer keeps
                    }
                    previous = BrokerMessage.UNKNOWN;
                    continue;
                }
                if (r.offset() >= from && out.size() < limit) {
                    out.add(new BrokerMessage(topic, r.value(), roomOffset, epoch, previous, key));
                }
                previous = roomOffset; // past the limit only the room's last offset still counts
            }
        }
        if (top == 0) {
            top = lastOfRoom(tp, room); // nothing of the room since the window: look further back
        }
        return new HistorySlice(epoch, top, out, complete, rejected);
    }
}
