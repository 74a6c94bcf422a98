package io.geows.kafka.internal;

import io.geows.spi.Appended;
import io.geows.spi.BrokerMessage;
import io.geows.spi.History;
import io.geows.spi.HistorySlice;
import io.geows.spi.Position;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
    private final Duration timeout;
    private final Function<Throwable, RuntimeException> unavailable;

    /** Produces a record and completes with its Kafka offset; fails fast while the broker is lost. */
    public interface Producing {
        CompletableFuture<Long> send(ProducerRecord<String, byte[]> record);
    }

    public KafkaHistory(Names names, io.geows.Topics topics, int partitions, Pump pump, Producing producing, KafkaConsumer<String, byte[]> reader,
                        ExecutorService readerThread, Duration dedupWindow, Duration timeout,
                        Function<Throwable, RuntimeException> unavailable) {
        this.names = names;
        this.topics = topics;
        this.partitions = partitions;
        this.pump = pump;
        this.producing = producing;
        this.reader = reader;
        this.readerThread = readerThread;
        this.windowMillis = dedupWindow.toMillis();
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
        return pump.assign(tp).thenCompose(v -> pump.knownKey(tp, room, messageKey)).thenCompose(first -> {
            if (first != null) {
                return CompletableFuture.completedFuture(new Appended(first, epoch, true));
            }
            RecordHeaders headers = new RecordHeaders();
            headers.add(Names.TOPIC_HEADER, topic.getBytes(StandardCharsets.UTF_8));
            headers.add(Names.KEY_HEADER, messageKey.getBytes(StandardCharsets.UTF_8));
            return producing.send(new ProducerRecord<>(tp.topic(), tp.partition(), room, payload, headers))
                    .thenCompose(kafkaOffset -> pump.awaitAppend(tp, kafkaOffset, room, messageKey))
                    .thenApply(o -> new Appended(o.roomOffset(), epoch, o.duplicate()));
        });
    }

    @Override
    public CompletableFuture<HistorySlice> readAfter(String room, long afterOffset, int limit) {
        TopicPartition tp = partitionOf(room);
        return onReader(() -> read(tp, room, afterOffset, limit));
    }

    @Override
    public CompletableFuture<Position> position(String room) {
        TopicPartition tp = partitionOf(room);
        return onReader(() -> {
            long end = reader.endOffsets(List.of(tp), timeout).get(tp);
            // The partition's last offset: at or after the room's last message, before any later one.
            return new Position(end, pump.epoch(tp.partition()));
        });
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

    /** On the reader thread. Room offset {@code afterOffset} is Kafka offset {@code afterOffset - 1}. */
    private HistorySlice read(TopicPartition tp, String room, long afterOffset, int limit) {
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
            return new HistorySlice(epoch, end, out, complete);
        }
        reader.seek(tp, seekTo);
        Map<String, long[]> firstOfKey = new HashMap<>();
        Map<String, Long> lastByRoom = new HashMap<>();
        long position = seekTo;
        int rejected = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (position < end && out.size() < limit) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("history read of room '" + room + "' did not reach offset " + end);
            }
            for (ConsumerRecord<String, byte[]> r : reader.poll(READ_POLL).records(tp)) {
                position = r.offset() + 1;
                if (r.offset() >= end || out.size() >= limit) {
                    break;
                }
                if (!room.equals(r.key())) {
                    continue;
                }
                String key = Pump.header(r, Names.KEY_HEADER);
                String topic = Pump.header(r, Names.TOPIC_HEADER);
                if (topic == null || r.value() == null) {
                    if (r.offset() >= from) {
                        rejected++; // not written by an adapter
                    }
                    continue;
                }
                if (key == null) {
                    continue; // published without history (presence events)
                }
                long[] first = firstOfKey.get(key);
                if (first != null && first[0] < r.offset() && r.timestamp() - first[1] <= windowMillis) {
                    continue; // a repeat within the window: the first record wins
                }
                firstOfKey.put(key, new long[] {r.offset(), r.timestamp()});
                long roomOffset = r.offset() + 1;
                Long previous = lastByRoom.put(room, roomOffset);
                if (r.offset() >= from) {
                    out.add(new BrokerMessage(topic, r.value(), roomOffset, epoch,
                            previous == null ? BrokerMessage.UNKNOWN : previous, key));
                }
            }
        }
        return new HistorySlice(epoch, end, out, complete, rejected);
    }
}
