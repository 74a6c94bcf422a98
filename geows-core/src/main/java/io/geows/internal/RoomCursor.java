package io.geows.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A session's position in one room. While the session is joining (history being replayed) live
 * messages wait in {@code pending}; afterwards each message is sent only if it is newer than the
 * position, which is what makes delivery ordered and duplicate-free across replay and live.
 */
final class RoomCursor {
    record Pending(long offset, String epoch, byte[] frame) {
    }

    private long offset;
    private String epoch;
    private List<Pending> pending = new ArrayList<>();

    /** Offers a live message: queued while replaying, else sent when newer. */
    synchronized void offer(WsSession session, long offset, String epoch, byte[] frame) {
        if (pending != null) {
            pending.add(new Pending(offset, epoch, frame));
            return;
        }
        sendIfNewer(session, offset, epoch, frame);
    }

    /** Sends when newer than the position; caller holds the lock. */
    private void sendIfNewer(WsSession session, long offset, String epoch, byte[] frame) {
        if (epoch.equals(this.epoch) && offset <= this.offset) {
            return;
        }
        this.offset = offset;
        this.epoch = epoch;
        session.send(frame);
    }

    /** Whether live messages are still queued behind a replay. */
    synchronized boolean isJoining() {
        return pending != null;
    }

    /**
     * Ends the joining phase: sets the start position, sends the replayed messages, then the live
     * ones that arrived meanwhile, and goes live.
     */
    synchronized void activate(WsSession session, long startOffset, String startEpoch, byte[] first,
                               List<Pending> replay) {
        if (first != null) {
            session.send(first);
        }
        this.offset = startOffset;
        this.epoch = startEpoch;
        for (Pending p : replay) {
            sendIfNewer(session, p.offset(), p.epoch(), p.frame());
        }
        List<Pending> queued = pending;
        pending = null;
        if (queued != null) {
            for (Pending p : queued) {
                sendIfNewer(session, p.offset(), p.epoch(), p.frame());
            }
        }
    }

    synchronized long offset() {
        return offset;
    }
}
