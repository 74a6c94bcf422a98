package io.geows.client;

/**
 * One joined room on the client side: its listener and its cursor, the last position delivered to
 * the application. The cursor is what the client resumes from after a reconnect, and what drops a
 * message delivered twice (a safety net: the node already replays from the cursor). Confined to the
 * client's loop thread.
 */
final class RoomState {
    /** What to do with a message. */
    enum Verdict {
        /** Newer than the cursor: deliver. */
        DELIVER,
        /** At or before the cursor in the same epoch: already delivered, drop. */
        DUPLICATE,
        /** From another epoch: the room's history was reset; deliver, and tell the app about the gap. */
        NEW_EPOCH
    }

    final String room;
    final RoomListener listener;
    final RoomHandle handle;
    private Frames.Position cursor;

    RoomState(String room, RoomListener listener, RoomHandle handle) {
        this.room = room;
        this.listener = listener;
        this.handle = handle;
    }

    /** The last delivered position, or null before the node confirmed the join. */
    Frames.Position cursor() {
        return cursor;
    }

    /** The node confirmed a join at this position: nothing before it will be delivered. */
    void joined(Frames.Position at) {
        if (cursor == null) {
            cursor = at;
        }
    }

    /**
     * The node could not replay everything after the cursor. When the epoch changed, every message
     * of the new epoch is new to us, so the cursor restarts at its beginning.
     */
    void unrecovered(Frames.Position nodePosition) {
        if (nodePosition != null && cursor != null && !nodePosition.epoch().equals(cursor.epoch())) {
            cursor = new Frames.Position(0, nodePosition.epoch());
        }
    }

    /** Decides about a message and moves the cursor past it when it is delivered. */
    Verdict accept(long offset, String epoch) {
        if (cursor == null) {
            cursor = new Frames.Position(offset, epoch);
            return Verdict.DELIVER;
        }
        if (!epoch.equals(cursor.epoch())) {
            cursor = new Frames.Position(offset, epoch);
            return Verdict.NEW_EPOCH;
        }
        // Offsets only increase within an epoch but may skip numbers (NATS): compare, never count.
        if (offset <= cursor.offset()) {
            return Verdict.DUPLICATE;
        }
        cursor = new Frames.Position(offset, epoch);
        return Verdict.DELIVER;
    }
}
