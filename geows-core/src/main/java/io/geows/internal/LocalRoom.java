package io.geows.internal;

import io.geows.Envelope;
import io.geows.spi.Position;
import io.geows.spi.BrokerMessage;
import io.geows.spi.HistorySlice;
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
 * publish on the broker can send a correctly signed message again under any offset. So:
 * <ul>
 *   <li>a message whose key (sender and id) this room delivered lately at another epoch or offset
 *       is a replay, and dropped;</li>
 *   <li>a live message goes straight to the members only when everything about it is expected: it
 *       names the last delivered offset as its predecessor, in the same epoch, and it was signed
 *       after what {@link RecentKeys} forgot and after the room started here (with
 *       {@link #CLOCK_SKEW_MILLIS} for clocks);</li>
 *   <li>anything else (a gap, a jump, an epoch change, an old message) waits while history is read
 *       after the last delivered offset. History is the authority: its messages are delivered in
 *       its order, except one signed before what this room can vouch for (it cannot be told from a
 *       replay); each waiting message received before the read must be there at its offset with
 *       the same bytes, or it is dropped and counted. That works for every broker because an
 *       adapter stores a message in history before it publishes it.</li>
 * </ul>
 * The same read is how the room recovers after a broker outage, and how gaps in live delivery are
 * filled.
 */
final class LocalRoom {
    /**
     * How far node clocks may disagree: {@value} ms. A message signed before the room started here
     * (plus this) is confirmed against history before delivery, since this node cannot know whether
     * it was delivered before.
     */
    static final long CLOCK_SKEW_MILLIS = 2_000;
    /** Messages per history read while confirming; a longer backlog is read in several pages. */
    static final int PAGE = 1_000;
    /** Live messages held at most while a read is pending; beyond, they are dropped (and read later). */
    static final int MAX_WAITING = 20_000;
    /** Reads again, at most this often, before a waiting message history lacks is called forged. */
    private static final int REREADS = 2;

    final String room;
    final String topic;
    /** Sessions holding this room; guarded by the {@link RoomTable}'s lock. */
    int refs;
    CompletableFuture<Subscription> subscription;

    private final RecentKeys keys = new RecentKeys();
    private final RecentMessages recent;
    private final long createdAt;
    private long lastOffset;
    private String epoch;
    private String hashedEpoch;
    private long epochHash;
    /** Live messages waiting for a history read; {@code null} when delivering live. */
    private List<BrokerMessage> waiting;
    /** How many of {@code waiting} (from the start) arrived before the current read was issued. */
    private int receivedBeforeRead;
    private boolean readIssued;
    private int rereads;
    private long generation;

    /**
     * @param recentMessages how many of the last delivered messages to keep for resumes (0: none)
     * @param recentBytes    how many bytes of their frames at most
     */
    LocalRoom(String room, String topic, long now, int recentMessages, long recentBytes) {
        this.room = room;
        this.topic = topic;
        this.createdAt = now;
        this.recent = new RecentMessages(recentMessages, recentBytes);
    }

    /** Seeds the position from the first join, when nothing was delivered or is being confirmed yet. */
    synchronized void seed(long offset, String epoch) {
        if (this.epoch == null && waiting == null) {
            this.epoch = epoch;
            this.lastOffset = offset;
            recent.reset(offset, epoch);
        }
    }

    /**
     * Where a member that joins now starts, when this node knows it without asking the broker: the
     * last message delivered here. A member registered before this call gets every message after it
     * (live, or from the recovery that fills any gap found later). {@code null} while the room has
     * not been seeded or is waiting for a history read.
     */
    /** Forgets the recent messages kept for resumes (after an erasure): resumes read history until it refills. */
    synchronized void forgetRecent() {
        recent.forget();
    }

    synchronized Position livePosition() {
        return epoch != null && waiting == null ? new Position(lastOffset, epoch) : null;
    }

    /**
     * For a member registered before this call that resumes from {@code since}: the messages after
     * it, from memory, and the position they reach; {@code null} when memory does not hold all of
     * them (the caller reads history).
     */
    synchronized Replay replayFromMemory(Position since) {
        if (epoch == null || waiting != null || !epoch.equals(since.epoch()) || since.offset() > lastOffset) {
            return null;
        }
        List<RoomCursor.Pending> frames = recent.after(since.offset(), epoch);
        return frames == null ? null : new Replay(frames, new Position(lastOffset, epoch));
    }

    /** What a resume read from memory: the frames to replay and the position they reach. */
    record Replay(List<RoomCursor.Pending> frames, Position position) {
    }

    /**
     * Keeps what a complete history read found after {@code after} up to {@code to} (every message of
     * the room in between, as frames), so later resumes from there are answered from memory.
     */
    synchronized void remember(long after, Position to, List<RoomCursor.Pending> read) {
        recent.prepend(to.epoch(), after, to.offset(), read);
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
        rereads = 0;
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
     * @return the offset to read after, or -1 when there is nothing to read ({@code gen} is stale, or
     *         nothing was ever delivered or received here)
     */
    synchronized long readIssued(long gen) {
        if (waiting == null || gen != generation) {
            return -1;
        }
        if (epoch == null && waiting.isEmpty()) {
            waiting = null; // nothing delivered, nothing received: the first join seeds the position
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
        return Math.max(0, from);
    }

    synchronized String epoch() {
        return epoch;
    }

    /** A live room message from the broker. */
    synchronized void deliver(BrokerMessage m, RoomTable rooms) {
        if (waiting != null) {
            if (waiting.size() >= MAX_WAITING) {
                // Bounded: a genuine message dropped here is read from history with the next gap.
                rooms.guard.dropBrokerMessage(m, "more than " + MAX_WAITING + " messages wait for a history read");
                return;
            }
            waiting.add(m);
            return;
        }
        process(m, rooms);
    }

    /**
     * Ends recovery {@code gen} with what history holds after {@code after}: delivers it, judges the
     * messages that were waiting, then goes live (or reads the next page). Ignored when a newer
     * recovery started meanwhile (its read covers the same ground and more).
     */
    synchronized void endRecovery(long gen, long after, HistorySlice slice, RoomTable rooms) {
        if (gen != generation || waiting == null) {
            return;
        }
        rooms.guard.historyRejected(slice, room);
        List<BrokerMessage> queued = waiting;
        int judged = readIssued ? receivedBeforeRead : 0;
        if (epoch != null && !epoch.equals(slice.epoch())) {
            // History was lost meanwhile (a new epoch): what arrived live in the old epoch cannot be
            // confirmed any more. Deliver what follows on from the last delivered message, was not
            // delivered here and was signed after the room started here (so it cannot be one this
            // node delivered and forgot); clients learn of the gap from the epoch change.
            for (int i = 0; i < judged; i++) {
                BrokerMessage m = queued.get(i);
                if (m.hasOffset() && epoch.equals(m.epoch()) && m.offset() > lastOffset
                        && (m.previous() == lastOffset || m.previous() == BrokerMessage.UNKNOWN)) {
                    Envelope e = rooms.guard.decodeRoomMessage(m, room);
                    if (e != null && e.timestamp() > historyHorizon()) {
                        long key = RecentKeys.hashKey(e.from(), e.id());
                        if (keys.check(key, hashOf(m.epoch()), m.offset()) == RecentKeys.UNSEEN) {
                            deliverNow(m, e, key, rooms, BrokerMessage.UNKNOWN);
                        }
                    }
                }
            }
        }
        Map<Long, byte[]> held = new HashMap<>();
        // A complete read holds every message after 'after': each follows the one before it.
        long previous = slice.complete() ? after : BrokerMessage.UNKNOWN;
        for (BrokerMessage h : slice.messages()) {
            held.put(h.offset(), h.payload());
            fromHistory(h, rooms, h.previous() != BrokerMessage.UNKNOWN ? h.previous() : previous);
            previous = h.offset();
        }
        boolean morePages = slice.messages().size() >= PAGE;
        boolean readAgain = false;
        if (!morePages) {
            for (int i = 0; i < judged && !readAgain; i++) {
                BrokerMessage m = queued.get(i);
                readAgain = m.hasOffset() && slice.epoch().equals(m.epoch()) && m.offset() > slice.top()
                        && rereads < REREADS; // a replica that lags behind may not have it yet
            }
        }
        if (morePages || readAgain) {
            // Keep everything waiting (history delivered so far moved the position) and read on.
            if (readAgain) {
                rereads++;
            }
            readIssued = false;
            rooms.confirm(this, ++generation);
            return;
        }
        waiting = null;
        readIssued = false;
        rereads = 0;
        if (!slice.epoch().equals(epoch)) {
            // History started a new epoch and nothing of it was delivered here: the room now stands at
            // its top (what a later join or resume here is told).
            epoch = slice.epoch();
            lastOffset = slice.top();
            recent.reset(lastOffset, epoch);
        }
        for (int i = 0; i < queued.size(); i++) {
            BrokerMessage m = queued.get(i);
            if (i < judged) {
                // Received before the read: history has it by now, unless it never was appended.
                if (m.hasOffset() && m.epoch() != null && m.epoch().equals(slice.epoch()) && m.offset() > after
                        && !Arrays.equals(held.get(m.offset()), m.payload())
                        && (m.offset() > slice.top() || held.containsKey(m.offset()) || slice.complete())
                        && rooms.guard.decodeRoomMessage(m, room) != null) { // (unsigned ones are counted as forged there)
                    rooms.guard.dropReplayed(m, "history does not hold this message at offset " + m.offset());
                }
                continue; // delivered from history, if it was genuine
            }
            if (waiting != null) {
                waiting.add(m); // a newer check started while going through these
            } else {
                process(m, rooms);
            }
        }
    }

    /** Live messages signed at or before this are not delivered without history's word. */
    private long liveHorizon() {
        return Math.max(createdAt + CLOCK_SKEW_MILLIS, keys.forgottenUntil());
    }

    /** History's messages signed at or before this cannot be told from replays. */
    private long historyHorizon() {
        return Math.max(createdAt - CLOCK_SKEW_MILLIS, keys.forgottenUntil());
    }

    private long hashOf(String e) {
        if (!e.equals(hashedEpoch)) {
            hashedEpoch = e;
            epochHash = RecentKeys.hash(e);
        }
        return epochHash;
    }

    /** A live message, not waiting for anything. */
    private void process(BrokerMessage m, RoomTable rooms) {
        if (!m.hasOffset()) {
            rooms.guard.dropBrokerMessage(m, "room message without offset");
            return;
        }
        Envelope e = rooms.guard.decodeRoomMessage(m, room);
        if (e == null) {
            return; // malformed, forged or for another room: dropped and counted
        }
        long key = RecentKeys.hashKey(e.from(), e.id());
        int seen = keys.check(key, hashOf(m.epoch()), m.offset());
        if (seen == RecentKeys.SAME) {
            return; // delivered already (recovery overlapping live delivery)
        }
        if (seen == RecentKeys.ELSEWHERE) {
            rooms.guard.dropReplayed(m, "message already delivered at offset " + keys.offsetOf(key) + " sent again as "
                    + m.offset() + " (epoch " + m.epoch() + ")");
            return;
        }
        if (epoch != null && m.epoch().equals(epoch) && m.offset() <= lastOffset) {
            return; // an old offset: nothing new
        }
        boolean expected = epoch != null && m.epoch().equals(epoch)
                && (m.previous() == lastOffset || m.previous() == BrokerMessage.UNKNOWN)
                && e.timestamp() > liveHorizon();
        if (!expected) {
            waiting = new ArrayList<>();
            waiting.add(m);
            readIssued = false;
            rereads = 0;
            rooms.confirm(this, ++generation);
            return;
        }
        deliverNow(m, e, key, rooms, m.previous());
    }

    /** A message read from history: trusted for its position, still checked for repeats and age. */
    private void fromHistory(BrokerMessage m, RoomTable rooms, long previous) {
        if (epoch != null && m.epoch().equals(epoch) && m.offset() <= lastOffset) {
            return;
        }
        Envelope e = rooms.guard.decodeRoomMessage(m, room);
        if (e == null) {
            return;
        }
        long key = RecentKeys.hashKey(e.from(), e.id());
        int seen = keys.check(key, hashOf(m.epoch()), m.offset());
        if (seen == RecentKeys.SAME) {
            return;
        }
        if (seen == RecentKeys.ELSEWHERE) {
            rooms.guard.dropReplayed(m, "history holds the message of offset " + keys.offsetOf(key) + " again at offset "
                    + m.offset() + " (epoch " + m.epoch() + ")");
            return;
        }
        if (e.timestamp() <= historyHorizon()) {
            // Signed before what this room can vouch for, yet after its last delivered position:
            // a copy someone put into history (or an epoch rewritten), not something to deliver.
            if (epoch != null) {
                rooms.guard.dropReplayed(m, "history entry at offset " + m.offset() + " was signed before this room's "
                        + "memory reaches; not delivered as new");
            }
            return;
        }
        deliverNow(m, e, key, rooms, previous);
    }

    /** @param previous the offset of the message before {@code m}, as vouched for, or UNKNOWN */
    private void deliverNow(BrokerMessage m, Envelope e, long key, RoomTable rooms, long previous) {
        epoch = m.epoch();
        lastOffset = m.offset();
        keys.add(key, hashOf(m.epoch()), m.offset(), e.timestamp());
        // Encode once; the same bytes go to every local member (and to resumes, from memory).
        byte[] frame = ServerFrames.message(e, m.offset(), m.epoch());
        recent.append(m.offset(), m.epoch(), previous, frame);
        rooms.fanOut(room, e, m.offset(), m.epoch(), frame);
    }
}
