package io.geows.kafka.internal;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * The Kafka topics and record headers of one topic prefix: {@code <prefix>.rooms} (room messages with
 * history, keyed by room), {@code <prefix>.bus} (everything else, keyed by the geows topic) and
 * {@code <prefix>.presence} (compacted directory) and {@code <prefix>.erased} (compacted: erased users).
 */
public final class Names {
    /** The geows topic a record of the rooms topic is for (bus records carry it as their key). */
    public static final String TOPIC_HEADER = "geows-topic";
    /** The message key of a room record (deduplication). */
    public static final String KEY_HEADER = "geows-key";

    private final String prefix;

    public Names(String prefix) {
        this.prefix = prefix;
    }

    public String rooms() {
        return prefix + ".rooms";
    }

    public String bus() {
        return prefix + ".bus";
    }

    public String presence() {
        return prefix + ".presence";
    }

    /** Erased users (compacted, one partition): user id to the time of their erasure. */
    public String erased() {
        return prefix + ".erased";
    }

    /** The rooms topic's partition of a room's geows topic. */
    public TopicPartition roomsPartition(String roomTopic, int partitions) {
        return new TopicPartition(rooms(), partition(roomTopic, partitions));
    }

    /** The bus topic's partition of a geows topic. */
    public TopicPartition busPartition(String topic, int partitions) {
        return new TopicPartition(bus(), partition(topic, partitions));
    }

    /** The partition the default partitioner gives a key: where a room's (or a topic's) records go. */
    public static int partition(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % partitions;
    }
}
