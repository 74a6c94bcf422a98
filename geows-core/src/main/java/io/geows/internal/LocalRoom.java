package io.geows.internal;

import io.geows.Envelope;
import io.geows.spi.BrokerMessage;
import io.geows.spi.Session;
import io.geows.spi.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A room with at least one member on this node: its broker subscription (held only while there is
 * a local member: interest-based routing) and the last offset this node delivered, so that
 * messages reach local members in offset order and at most once, also across a broker outage.
 */
final class LocalRoom {
    final String room;
    final String topic;
    /** Sessions holding this room; guarded by the engine's room table lock. */
    int refs;
    CompletableFuture<Subscription> subscription;

    private long lastOffset;
    private String epoch;
    private List<BrokerMessage> recoveryBuffer;
    private long generation;

    LocalRoom(String room, String topic) {
        this.room = room;
        this.topic = topic;
    }

    /** Seeds the position from the first join, when nothing was delivered yet. */
    synchronized void seed(long offset, String epoch) {
        if (this.epoch == null) {
            this.epoch = epoch;
            this.lastOffset = offset;
        }
    }

    /**
     * Starts (or restarts) a recovery: live messages wait until {@link #endRecovery} of the same
     * generation; an older recovery still in flight becomes stale.
     *
     * @return the recovery's generation
     */
    synchronized long beginRecovery() {
        if (recoveryBuffer == null) {
            recoveryBuffer = new ArrayList<>();
        }
        return ++generation;
    }

    /** Whether {@code gen} is the recovery in effect. */
    synchronized boolean isCurrent(long gen) {
        return recoveryBuffer != null && gen == generation;
    }

    /** The last offset delivered here: recovery reads after it. */
    synchronized long lastOffset() {
        return lastOffset;
    }

    synchronized String epoch() {
        return epoch;
    }

    /**
     * Delivers recovered messages, then the live ones that waited. Ignored when a newer recovery
     * started meanwhile: its read covers the same ground and more.
     */
    synchronized void endRecovery(long gen, List<BrokerMessage> recovered, NodeEngine engine) {
        if (gen != generation || recoveryBuffer == null) {
            return;
        }
        for (BrokerMessage m : recovered) {
            deliverLocked(m, engine);
        }
        List<BrokerMessage> waiting = recoveryBuffer;
        recoveryBuffer = null;
        for (BrokerMessage m : waiting) {
            deliverLocked(m, engine);
        }
    }

    /** A live room message from the broker. */
    synchronized void deliver(BrokerMessage m, NodeEngine engine) {
        if (recoveryBuffer != null) {
            recoveryBuffer.add(m);
            return;
        }
        deliverLocked(m, engine);
    }

    private void deliverLocked(BrokerMessage m, NodeEngine engine) {
        if (!m.hasOffset()) {
            engine.dropBrokerMessage(m, "room message without offset");
            return;
        }
        if (m.epoch().equals(epoch) && m.offset() <= lastOffset) {
            return; // already delivered (recovery overlapping live delivery)
        }
        Envelope e = engine.decodeRoomMessage(m, room);
        if (e == null) {
            return; // malformed, forged or for another room: dropped and counted
        }
        epoch = m.epoch();
        lastOffset = m.offset();
        // Encode once; the same bytes go to every local member.
        byte[] frame = ServerFrames.message(e, m.offset(), m.epoch());
        int recipients = 0;
        WireFrames.beginBatch();
        try {
            for (Session s : engine.registry().members(room)) {
                if (s instanceof WsSession ws) {
                    RoomCursor cursor = ws.cursors.get(room);
                    if (cursor != null) {
                        cursor.offer(ws, m.offset(), m.epoch(), frame);
                        recipients++;
                    }
                }
            }
        } finally {
            WireFrames.endBatch();
        }
        engine.observeDelivery("message", e, recipients);
    }
}
