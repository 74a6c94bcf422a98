package io.geows;

import io.geows.spi.Position;
import java.util.List;
import java.util.Objects;

/**
 * A page of a room's history, as {@link GeoWsNode#history} read it.
 *
 * @param messages the messages after the position asked for, oldest first, at most the limit
 * @param position the room's latest position when read (where a reader that wants what follows
 *                 resumes from, once it has read up to it)
 * @param complete {@code false} when history no longer holds every message after the position asked
 *                 for (trimmed by retention, or lost with the broker's data: a new epoch), so this page
 *                 starts later than asked
 * @since 0.2.0
 */
public record RoomHistory(List<RoomMessage> messages, Position position, boolean complete) {
    /** Copies the list. */
    public RoomHistory {
        messages = List.copyOf(messages);
        Objects.requireNonNull(position, "position");
    }
}
