package io.geows.spi;

import java.util.Objects;

/**
 * A message as the broker delivers it.
 *
 * <p>For a room message with history, {@code offset} and {@code epoch} say where history holds it,
 * and {@code previous} is the offset of the room's message before it, as the broker reports it. The
 * node does not take a position on trust: a message that does not follow the last one it delivered
 * (a gap, a jump, a repeat) is confirmed against {@link History} before anyone sees it, so adapters
 * need not fill gaps or drop repeats themselves.
 *
 * @param topic    the topic it was published to
 * @param payload  the bytes as published (callers must not modify them)
 * @param offset   the room offset assigned by {@link History#append}, or {@code 0} for a message
 *                 published without history
 * @param epoch    the history epoch of {@code offset}, or {@code null} without history
 * @param previous the offset of the room's previous message in the same epoch ({@code 0} when this
 *                 is the first), or {@link #UNKNOWN} when the broker does not say
 * @param key      the message key the entry was appended with (see {@link History#append}), set on
 *                 messages read from history (and on live ones where the broker carries it); {@code null} when unknown
 * @since 0.1.0
 */
public record BrokerMessage(String topic, byte[] payload, long offset, String epoch, long previous, String key) {
    /** {@link #previous()} when the broker does not know the previous offset. */
    public static final long UNKNOWN = -1;

    /** Validates the fields. */
    public BrokerMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0: " + offset);
        }
        if (previous < UNKNOWN || (offset > 0 && previous >= offset)) {
            throw new IllegalArgumentException("previous must be -1 (unknown) or below the offset " + offset + ": " + previous);
        }
    }

    /**
     * A message whose previous offset and key are unknown.
     *
     * @since 0.1.0
     */
    public BrokerMessage(String topic, byte[] payload, long offset, String epoch) {
        this(topic, payload, offset, epoch, UNKNOWN, null);
    }

    /** Whether the message was appended to a room's history. */
    public boolean hasOffset() {
        return offset > 0;
    }

    /** This message with its previous offset and key set. */
    public BrokerMessage with(long previousOffset, String messageKey) {
        return new BrokerMessage(topic, payload, offset, epoch, previousOffset, messageKey);
    }
}
