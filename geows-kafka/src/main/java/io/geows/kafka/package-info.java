/**
 * Apache Kafka as the broker: {@link io.geows.kafka.KafkaBroker}. Room offsets are Kafka partition
 * offsets (plus one), the epoch is the rooms topic's id and the partition, and every node reads the
 * partitions it needs with a consumer assigned by hand. See {@code docs/design-notes.md}, "Kafka as
 * the broker".
 *
 * @since 0.2.0
 */
package io.geows.kafka;
