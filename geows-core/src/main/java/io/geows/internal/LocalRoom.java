package io.geows.internal;

import io.geows.Envelope;
import io.geows.spi.BrokerMessage;
import io.geows.spi.HistorySlice;
import io.geows.spi.Session;
import io.geows.spi.Subscription;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A room with at least one member on this node: its broker subscription (held only while there is
 * a local member: interest-based routing) and the last offset this node delivered, so that
 * messages reach local members in offset order and at most once, also across a broker outage.
 *
 * <h2>Positions are confirmed, not trusted</h2>
 * The signature covers a message's body, not the offset the broker delivers it under: whoever can
 * publish on the broker can send a correctly signed message again under any offset. So a live
 * message goes straight to the members only when everything about it is expected: it names the
 * last delivered offset as its predecessor, in the same epoch, its key was not delivered lately, and
 * it was signed after what this room remembers (see {@link RecentKeys}) and after the room started
 * here (with {@link #CLOCK_SKEW_MILLIS} for clocks). Anything else (a gap, a jump, an epoch change, a
 * repeat, an old message) waits while history is read after the last delivered offset; history is
 * the authority: its messages are delivered in its order, and each waiting message received before
 * the read must be there at its offset with the same bytes, or it is dropped and counted. That
 * works for every broker because an adapter stores a message in history before it publishes it.
 *
 * <p>The same read is how the room recovers after a broker outage, and how gaps in live delivery
 * are filled.
 */
final class LocalRoom {
    /**
     * How far node clocks may disagree: {@value} ms. A message signed before the room started here
     * (plus this) is confirmed against history before delivery, since this node cannot know whether
     * it was delivered before.
     */
    static final long CLOCK_SKEW_MILLIS = 2_000;

    final String room;
    final String topic;
    /** Sessions holding this room; guarded by the engine's room table lock. */
    int refs;
    CompletableFuture<Subscription> subscription;

    private final RecentKeys keys = new RecentKeys();
    private long lastOffset;
    private String epoch;
    /** Live messages waiting for a history read; {@code null} when delivering live. */
    private List<BrokerMessage> waiting;
    /** How many of {@code waiting} (from the start) arrived before the current read was issued. */
    private int receivedBeforeRead;
    private boolean readIssued;
    private long generation;

    LocalRoom(String room, String topic, long now) {
        this.room = room;
        this.topic = topic;
        keys.forgetBefore(now + CLOCK_SKEW_MILLIS);
    }

    /** Seeds the position from the first join, when nothing was delivered or is being confirmed yet. */
    synchronized void seed(long offset, String epoch) {
        if (this.epoch == null && waiting == null) {
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
        if (waiting == null) {
            waiting = new ArrayList<>();
        }
        readIssued = false;
        return ++generation;
    }

    /** Whether {@code gen} is the recovery in effect. */
    synchronized boolean isCurrent(long gen) {
        return waiting != null && gen == generation;
    }

    /**
     * Called as the history read of recovery {@code gen} is issued: the messages waiting now were
     * received before it, so history must hold them.
     *
     * @return the offset to read after, or -1 when {@code gen} is stale
     */
    synchronized long readIssued(long gen) {
        if (waiting == null || gen != generation) {
            return -1;
        }
        receivedBeforeRead = waiting.size();
        readIssued = true;
        if (epoch != null) {
            return lastOffset;
        }
        // Nothing delivered here yet: read from just before the first message waiting.
        long from = Long.MAX_VALUE;
        for (BrokerMessage m : waiting) {
            from = Math.min(from, m.offset() - 1);
        }
        return from == Long.MAX_VALUE ? 0 : Math.max(0, from);
    }

    synchronized String epoch() {
        return epoch;
    }

    /** A live room message from the broker. */
    synchronized void deliver(BrokerMessage m, NodeEngine engine) {
        if (waiting != null) {
            waiting.add(m);
            return;
        }
        process(m, engine);
    }

    /**
     * Ends recovery {@code gen} with what history holds: delivers it, judges the messages that were
     * waiting, then goes live. Ignored when a newer recovery started meanwhile (its read covers the
     * same ground and more).
     */
    synchronized void endRecovery(long gen, long after, HistorySlice slice, NodeEngine engine) {
        if (gen != generation || waiting == null) {
            return;
        }
        engine.historyRejected(slice, room);
        List<BrokerMessage> queued = waiting;
        int judged = readIssued ? receivedBeforeRead : 0;
        if (epoch != null && !epoch.equals(slice.epoch())) {
            // History was lost meanwhile (a new epoch): what arrived live in the old epoch cannot be
            // confirmed any more. Deliver what follows on from the last delivered message, in order;
            // clients learn of the gap from the epoch change.
            for (int i = 0; i < judged; i++) {
                BrokerMessage m = queued.get(i);
                if (m.hasOffset() && epoch.equals(m.epoch()) && m.offset() > lastOffset
                        && (m.previous() == lastOffset || m.previous() == BrokerMessage.UNKNOWN)) {
                    Envelope e = engine.decodeRoomMessage(m, room);
                    if (e != null && keys.offsetOf(NodeEngine.messageKey(e)) < 0) {
                        deliverNow(m, e, NodeEngine.messageKey(e), engine);
                    }
                }
            }
        }
        Map<Long, byte[]> held = new HashMap<>();
        for (BrokerMessage h : slice.messages()) {
            held.put(h.offset(), h.payload());
            fromHistory(h, engine);
        }
        waiting = null;
        readIssued = false;
        for (int i = 0; i < queued.size(); i++) {
            BrokerMessage m = queued.get(i);
            if (i < judged) {
                // Received before the read: history has it by now, unless it never was appended.
                if (m.hasOffset() && m.epoch() != null && m.epoch().equals(slice.epoch()) && m.offset() > after
                        && !Arrays.equals(held.get(m.offset()), m.payload())
                        && (m.offset() > slice.top() || held.containsKey(m.offset()) || slice.complete())
                        && engine.decodeRoomMessage(m, room) != null) { // (unsigned ones are counted as forged there)
                    engine.dropReplayed(m, "history does not hold this message at offset " + m.offset());
                }
                continue; // delivered from history, if it was genuine
            }
            if (waiting != null) {
                waiting.add(m); // a newer check started while going through these
            } else {
                process(m, engine);
            }
        }
    }

    /** A live message, not waiting for anything. */
    private void process(BrokerMessage m, NodeEngine engine) {
        if (!m.hasOffset()) {
            engine.dropBrokerMessage(m, "room message without offset");
            return;
        }
        Envelope e = engine.decodeRoomMessage(m, room);
        if (e == null) {
            return; // malformed, forged or for another room: dropped and counted
        }
        String key = NodeEngine.messageKey(e);
        long seenAt = keys.offsetOf(key);
        if (epoch != null && m.epoch().equals(epoch) && m.offset() <= lastOffset) {
            if (seenAt >= 0 && seenAt != m.offset()) {
                engine.dropReplayed(m, "message already delivered at offset " + seenAt + " sent again as " + m.offset());
            }
            return; // delivered already (recovery overlapping live delivery), or an old offset: nothing new
        }
        boolean expected = epoch != null && m.epoch().equals(epoch)
                && (m.previous() == lastOffset || m.previous() == BrokerMessage.UNKNOWN)
                && seenAt < 0
                && e.timestamp() > keys.forgottenBefore();
        if (!expected) {
            waiting = new ArrayList<>();
            waiting.add(m);
            readIssued = false;
            engine.confirmRoom(this, ++generation);
            return;
        }
        deliverNow(m, e, key, engine);
    }

    /** A message read from history: trusted for its position, still checked for repeats. */
    private void fromHistory(BrokerMessage m, NodeEngine engine) {
        if (epoch != null && m.epoch().equals(epoch) && m.offset() <= lastOffset) {
            return;
        }
        Envelope e = engine.decodeRoomMessage(m, room);
        if (e == null) {
            return;
        }
        String key = NodeEngine.messageKey(e);
        long seenAt = keys.offsetOf(key);
        if (seenAt >= 0 && !(m.epoch().equals(epoch) && seenAt == m.offset())) {
            engine.dropReplayed(m, "history holds the message of offset " + seenAt + " again at offset " + m.offset());
            return;
        }
        deliverNow(m, e, key, engine);
    }

    private void deliverNow(BrokerMessage m, Envelope e, String key, NodeEngine engine) {
        epoch = m.epoch();
        lastOffset = m.offset();
        keys.add(key, m.offset(), e.timestamp());
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
