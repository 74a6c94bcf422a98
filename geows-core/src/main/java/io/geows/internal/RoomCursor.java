package io.geows.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

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
     * Ends the joining phase: sets the start position, sends the first frame (built for that
     * position), the replayed messages, then the live ones that arrived meanwhile, and goes live.
     *
     * @param fresh a join without a position: every live message that arrived while joining came
     *              after the join was asked for, so the start moves back to include them (a publish
     *              sent right after the join must reach its own sender)
     * @param firstFrame builds the frame that opens the room for the client ({@code joined}) from the
     *              start offset, or {@code null}
     * @return the start offset used
     */
    synchronized long activate(WsSession session, long startOffset, String startEpoch, boolean fresh,
                               LongFunction<byte[]> firstFrame, List<Pending> replay) {
        long start = startOffset;
        if (fresh && pending != null) {
            for (Pending p : pending) {
                if (p.epoch().equals(startEpoch)) {
                    start = Math.min(start, p.offset() - 1);
                    break;
                }
            }
        }
        if (firstFrame != null) {
            session.send(firstFrame.apply(start));
        }
        this.offset = start;
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
        return start;
    }

    synchronized long offset() {
        return offset;
    }
}
