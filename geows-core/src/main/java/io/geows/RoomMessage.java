package io.geows;

import io.geows.spi.Position;
import java.util.Objects;

/**
 * A message of a room at its place in the room's history: what {@link GeoWsNode#history} returns and
 * what a {@link RoomListener} is given.
 *
 * @param envelope the message: id, sender ({@code null} when the application published it), origin and data
 * @param position its offset and epoch in the room's history
 * @since 0.2.0
 */
public record RoomMessage(Envelope envelope, Position position) {
    /** Checks the fields. */
    public RoomMessage {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(position, "position");
        if (envelope.kind() != Envelope.Kind.ROOM) {
            throw new IllegalArgumentException("not a room message: " + envelope.kind());
        }
    }

    /** The room. */
    public String room() {
        return envelope.room();
    }

    /** The payload as JSON text. */
    public String data() {
        return envelope.data();
    }

    /** The sender's user id, or {@code null} when the application published it. */
    public String from() {
        return envelope.from();
    }
}
