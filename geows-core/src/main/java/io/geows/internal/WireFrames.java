package io.geows.internal;

import java.nio.ByteBuffer;
import java.nio.channels.Selector;

/**
 * Server-to-client WebSocket text frames, written as wire bytes straight into Java-WebSocket's
 * outbound queue: a room message is framed once and every recipient gets a view of the same bytes
 * (server frames are not masked, so they are identical for everyone), instead of a frame object, a
 * header and a payload copy per recipient.
 *
 * <p>The selector is woken once per fan-out: {@link #beginBatch()} / {@link #endBatch()} around a
 * loop of sends defer the wake-up to the end.
 */
final class WireFrames {
    private static final byte FIN_TEXT = (byte) 0x81;

    /** Per thread: the last JSON array framed and its frame, so a fan-out frames once. */
    private static final ThreadLocal<Object[]> LAST = ThreadLocal.withInitial(() -> new Object[2]);
    private static final ThreadLocal<Batch> BATCH = ThreadLocal.withInitial(Batch::new);

    private static final class Batch {
        int depth;
        Selector selector;
    }

    private WireFrames() {
    }

    /** The wire frame of {@code json}: a fresh view (own position), framed once per array and thread. */
    static ByteBuffer frame(byte[] json) {
        Object[] last = LAST.get();
        if (last[0] == json) {
            return ((ByteBuffer) last[1]).duplicate();
        }
        ByteBuffer wire = encode(json);
        last[0] = json;
        last[1] = wire;
        return wire.duplicate();
    }

    /** FIN + text opcode, unmasked length (7 bit, 16 bit or 64 bit), payload. */
    static ByteBuffer encode(byte[] payload) {
        int n = payload.length;
        int header = n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
        ByteBuffer b = ByteBuffer.allocate(header + n);
        b.put(FIN_TEXT);
        if (n < 126) {
            b.put((byte) n);
        } else if (n <= 0xFFFF) {
            b.put((byte) 126);
            b.putShort((short) n);
        } else {
            b.put((byte) 127);
            b.putLong(n);
        }
        b.put(payload);
        b.flip();
        return b.asReadOnlyBuffer();
    }

    /** Defers selector wake-ups on this thread until the matching {@link #endBatch()}. */
    static void beginBatch() {
        BATCH.get().depth++;
    }

    /** Ends a batch; the outermost one wakes the selector once if anything was sent. */
    static void endBatch() {
        Batch b = BATCH.get();
        if (--b.depth == 0 && b.selector != null) {
            Selector s = b.selector;
            b.selector = null;
            s.wakeup();
        }
    }

    /** Wakes the selector now, or at the end of the current batch. */
    static void wakeup(Selector selector) {
        Batch b = BATCH.get();
        if (b.depth > 0) {
            if (b.selector != null && b.selector != selector) {
                b.selector.wakeup(); // another transport (rare): don't lose its wake-up
            }
            b.selector = selector;
        } else {
            selector.wakeup();
        }
    }
}
