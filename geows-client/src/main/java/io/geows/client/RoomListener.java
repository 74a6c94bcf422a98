package io.geows.client;

/**
 * Receives what happens in one joined room: its messages, exactly once and in room order (also
 * across reconnects and region failovers), who enters and leaves, and gaps that could not be
 * recovered.
 *
 * <p>Threading: called on the client's listener executor, one call at a time, in order (see
 * {@link ClientListener}). A method that throws is logged and does not stop the client.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface RoomListener {
    /**
     * A message of the room.
     *
     * @param message the message, not null
     */
    void onMessage(Message message);

    /**
     * Someone entered or left the room, in any region. Does nothing by default.
     *
     * @param event the event, not null
     */
    default void onPresence(PresenceEvent event) {
    }

    /**
     * How many members the room has in every region, for rooms whose node sends counts instead of
     * member lists (presence mode {@code COUNT}, or {@code AUTO} above its limit): at most one call
     * per count interval, only when the number changed. Does nothing by default.
     *
     * @param room    the room, not null
     * @param members the number of members (one per user and node)
     * @since 0.1.0
     */
    default void onOccupancy(String room, int members) {
    }

    /**
     * After a reconnect, not every message the client missed in this room could be replayed: the
     * room's history was lost (its epoch changed) or no longer holds them. Messages after the gap
     * follow, in order. Does nothing by default.
     *
     * @param room the room, not null
     */
    default void onGap(String room) {
    }
}
