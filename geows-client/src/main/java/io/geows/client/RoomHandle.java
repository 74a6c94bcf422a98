package io.geows.client;

import java.util.concurrent.CompletableFuture;

/**
 * A room this client joined, returned by {@link GeoWsClient#join(String, RoomListener)}. The
 * membership outlives reconnects and failovers: the client rejoins the room wherever it connects
 * and resumes it from the last message it delivered.
 *
 * <p>Threading: thread-safe.
 *
 * @since 0.1.0
 */
public final class RoomHandle {
    private final ClientEngine engine;
    private final String room;

    RoomHandle(ClientEngine engine, String room) {
        this.engine = engine;
        this.room = room;
    }

    /**
     * The room's name.
     *
     * @return the name, not null
     */
    public String room() {
        return room;
    }

    /**
     * Leaves the room: its listener gets no further calls once the returned future completes
     * (calls already queued on the listener executor still run). Does nothing when this handle's
     * membership already ended. Never fails, except when the client is closed.
     *
     * @return completes when the node confirmed, or at once when the client is not connected
     */
    public CompletableFuture<Void> leave() {
        return engine.session.leave(room, this);
    }

    @Override
    public String toString() {
        return "RoomHandle[" + room + "]";
    }
}
