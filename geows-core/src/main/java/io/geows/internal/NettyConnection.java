package io.geows.internal;

import io.geows.CloseCodes;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import java.net.InetSocketAddress;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Connection} on a Netty channel. Any thread queues frames; the channel's event loop
 * drains the queue: all queued frames framed into one buffer, one write, one flush. While the socket
 * cannot take more (Netty's write buffer is above its high-water mark) frames stay in this queue, so
 * the session's limits ({@link #queuedFrames()}, {@link #queuedBytes()}) see the whole backlog.
 */
final class NettyConnection implements Connection {
    /** At most this many bytes go into one write; the rest follows in the next drain. */
    private static final int MAX_WRITE = 256 * 1024;

    /** How long a peer gets to answer our close frame before the TCP connection is dropped. */
    static final long CLOSE_GRACE_MILLIS = 2000;

    private final Channel ch;
    private final EventLoop loop;
    private final Counters counters;
    private final Queue<byte[]> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;
    private volatile boolean closing;

    NettyConnection(Channel ch, Counters counters) {
        this.ch = ch;
        this.loop = ch.eventLoop();
        this.counters = counters;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) ch.remoteAddress();
    }

    @Override
    public boolean isOpen() {
        return !closing && ch.isActive();
    }

    @Override
    public void close(int code, String reason) {
        if (closing) {
            return;
        }
        closing = true;
        if (code == CloseCodes.TOO_BIG || code == CloseCodes.HELLO_TIMEOUT || code == CloseCodes.RATE_LIMITED) {
            counters.limitDisconnects.increment();
        }
        loop.execute(() -> {
            drain();
            // The peer answers with its close frame, on which Netty closes the connection; one that
            // does not answer is dropped after CLOSE_GRACE.
            ch.writeAndFlush(new CloseWebSocketFrame(code, reason), ch.voidPromise());
            loop.schedule(() -> {
                ch.close();
            }, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        });
    }

    @Override
    public void abort(int code, String reason) {
        closing = true;
        ch.close();
    }

    @Override
    public int queuedFrames() {
        return queued.get();
    }

    @Override
    public long queuedBytes() {
        return queuedBytes.get();
    }

    @Override
    public boolean sendText(byte[] utf8Json) {
        if (closing || !ch.isActive()) {
            return false;
        }
        queue.add(utf8Json);
        queued.incrementAndGet();
        queuedBytes.addAndGet(utf8Json.length);
        if (drainScheduled.compareAndSet(false, true)) {
            // Also on the loop itself: later, so that a fan-out in progress adds to the same write.
            loop.execute(drain);
        }
        return true;
    }

    /** Writes what is queued while the socket takes it. On the event loop only. */
    void drain() {
        drainScheduled.set(false);
        while (ch.isWritable() && !queue.isEmpty()) {
            ByteBuf out = null;
            byte[] json;
            while ((out == null || out.readableBytes() < MAX_WRITE) && (json = queue.poll()) != null) {
                queued.decrementAndGet();
                queuedBytes.addAndGet(-json.length);
                if (out == null) {
                    out = ch.alloc().directBuffer(Math.min(MAX_WRITE + 10, Math.max(256, (json.length + 10) * (queued.get() + 1))));
                }
                writeFrame(out, json);
            }
            if (out == null) {
                return;
            }
            ch.writeAndFlush(out, ch.voidPromise());
        }
    }

    /** Frees what can no longer be written (the channel closed). */
    void discard() {
        closing = true;
        queue.clear();
        queued.set(0);
        queuedBytes.set(0);
    }

    /** FIN + text opcode, unmasked length (7, 16 or 64 bit), payload. */
    private static void writeFrame(ByteBuf out, byte[] payload) {
        int n = payload.length;
        out.writeByte(0x81);
        if (n < 126) {
            out.writeByte(n);
        } else if (n <= 0xFFFF) {
            out.writeByte(126);
            out.writeShort(n);
        } else {
            out.writeByte(127);
            out.writeLong(n);
        }
        out.writeBytes(payload);
    }
}
