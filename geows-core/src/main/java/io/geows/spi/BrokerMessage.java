package io.geows.spi;

import java.util.Objects;

/**
 * A message as the broker delivers it.
 *
 * @param topic   the topic it was published to
 * @param payload the bytes as published (callers must not modify them)
 * @param offset  the room offset assigned by {@link History#append}, or {@code 0} for a message
 *                published without history
 * @param epoch   the history epoch of {@code offset}, or {@code null} without history
 * @since 0.1.0
 */
public record BrokerMessage(String topic, byte[] payload, long offset, String epoch) {
    /** Validates the fields. */
    public BrokerMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0: " + offset);
        }
    }

    /** Whether the message was appended to a room's history. */
    public boolean hasOffset() {
        return offset > 0;
    }
}
