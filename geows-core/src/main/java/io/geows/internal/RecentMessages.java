package io.geows.internal;

import io.geows.spi.BrokerMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The last messages a room delivered on this node, as the frames its members got, so that a resume
 * from a recent position is answered from memory instead of a broker read (a region's clients
 * resuming together all ask for nearly the same few messages).
 *
 * <p>It holds every message of one epoch after {@link #floor} up to its newest, without a gap: a
 * message is appended only when the one its broker names as its predecessor is the newest held;
 * anything else starts over from that message. A history read that covers the positions just before
 * the floor is added at the front ({@link #prepend}). At most {@code maxMessages} and
 * {@code maxBytes} of frames are held; the oldest go first. Not thread-safe: the room's lock guards it.
 */
final class RecentMessages {
    private final int maxMessages;
    private final long maxBytes;
    private final ArrayDeque<RoomCursor.Pending> frames = new ArrayDeque<>();
    private String epoch;
    /** Every message after this offset, up to the newest held, is held; -1 when nothing is known. */
    private long floor = -1;
    private long top = -1;
    private long bytes;

    RecentMessages(int maxMessages, long maxBytes) {
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
    }

    /** Holds nothing and knows no position: the next message starts over. */
    void forget() {
        frames.clear();
        bytes = 0;
        floor = -1;
        top = -1;
    }

    /** Starts over at a known position: nothing after it is held yet. */
    void reset(long offset, String epoch) {
        frames.clear();
        bytes = 0;
        this.epoch = epoch;
        this.floor = offset;
        this.top = offset;
    }

    /**
     * A message delivered to the room's members.
     *
     * @param previous the offset of the message before it in its epoch, as vouched for by the broker
     *                 or by a complete history read, or {@link BrokerMessage#UNKNOWN}
     */
    void append(long offset, String epoch, long previous, byte[] frame) {
        if (maxMessages == 0) {
            return;
        }
        if (!epoch.equals(this.epoch) || previous == BrokerMessage.UNKNOWN || previous != top) {
            if (previous == BrokerMessage.UNKNOWN) {
                reset(offset, epoch); // what came just before it is not known: start after it
                return;
            }
            reset(previous, epoch);
        }
        frames.addLast(new RoomCursor.Pending(offset, epoch, frame));
        bytes += frame.length;
        top = offset;
        trim();
    }

    /**
     * What a complete history read found after {@code after} up to {@code to} (every message of the
     * room in between, oldest first): added in front when it reaches the oldest held position.
     */
    void prepend(String epoch, long after, long to, List<RoomCursor.Pending> read) {
        if (maxMessages == 0 || !epoch.equals(this.epoch) || floor < 0 || after >= floor || to < floor) {
            return;
        }
        List<RoomCursor.Pending> older = new ArrayList<>();
        for (RoomCursor.Pending p : read) {
            if (p.offset() > after && p.offset() <= floor) {
                older.add(p);
            }
        }
        if (frames.size() + older.size() > maxMessages) {
            return; // it would be trimmed away again at once
        }
        for (int i = older.size() - 1; i >= 0; i--) {
            frames.addFirst(older.get(i));
            bytes += older.get(i).frame().length;
        }
        floor = after;
        trim();
    }

    /**
     * The messages after {@code since}, oldest first, when everything after it is held; {@code null}
     * when it is not (another epoch, older than the floor, or beyond the newest).
     */
    List<RoomCursor.Pending> after(long since, String epoch) {
        if (!epoch.equals(this.epoch) || floor < 0 || since < floor || since > top) {
            return null;
        }
        List<RoomCursor.Pending> out = new ArrayList<>();
        Iterator<RoomCursor.Pending> it = frames.descendingIterator();
        while (it.hasNext()) {
            RoomCursor.Pending p = it.next();
            if (p.offset() <= since) {
                break;
            }
            out.add(p);
        }
        java.util.Collections.reverse(out);
        return out;
    }

    private void trim() {
        while (!frames.isEmpty() && (frames.size() > maxMessages || bytes > maxBytes)) {
            RoomCursor.Pending old = frames.removeFirst();
            bytes -= old.frame().length;
            floor = old.offset();
        }
    }
}
