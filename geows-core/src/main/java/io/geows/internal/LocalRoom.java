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

    /** Starts a recovery: live messages wait until {@link #endRecovery}. Returns the position to read after. */
    synchronized long beginRecovery() {
        if (recoveryBuffer == null) {
            recoveryBuffer = new ArrayList<>();
        }
        return lastOffset;
    }

    synchronized String epoch() {
        return epoch;
    }

    /** Delivers recovered messages, then the live ones that waited. */
    synchronized void endRecovery(List<BrokerMessage> recovered, NodeEngine engine) {
        for (BrokerMessage m : recovered) {
            deliverLocked(m, engine);
        }
        List<BrokerMessage> waiting = recoveryBuffer;
        recoveryBuffer = null;
        if (waiting != null) {
            for (BrokerMessage m : waiting) {
                deliverLocked(m, engine);
            }
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
        Envelope e = engine.decodeRoomMessage(m);
        if (e == null) {
            return;
        }
        epoch = m.epoch();
        lastOffset = m.offset();
        // Encode once; the same bytes go to every local member.
        byte[] frame = ServerFrames.message(e, m.offset(), m.epoch());
        for (Session s : engine.registry().members(room)) {
            if (s instanceof WsSession ws) {
                RoomCursor cursor = ws.cursors.get(room);
                if (cursor != null) {
                    cursor.offer(ws, m.offset(), m.epoch(), frame);
                }
            }
        }
    }
}
