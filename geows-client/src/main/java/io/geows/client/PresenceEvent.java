package io.geows.client;

/**
 * Someone entered or left a room.
 *
 * @param room   the room
 * @param joined {@code true} for an entry, {@code false} for a departure
 * @param member who, and where they are connected
 * @since 0.1.0
 */
public record PresenceEvent(String room, boolean joined, Member member) {
}
