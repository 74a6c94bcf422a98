package io.geows.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process's I/O threads: one Netty event-loop group shared by every node's WebSocket transport
 * and by broker adapters built on Netty (Lettuce), so that a broker message and the socket writes it
 * causes can run on one thread, without a hand-off. Daemon threads, started on first use, never shut
 * down (they idle in the selector). Size: {@code -Dgeows.ioThreads}, else the number of processors.
 */
public final class IoLoops {
    private static volatile EventLoopGroup shared;

    private IoLoops() {
    }

    /** The shared group; callers must not shut it down. */
    public static EventLoopGroup shared() {
        EventLoopGroup g = shared;
        if (g == null) {
            synchronized (IoLoops.class) {
                g = shared;
                if (g == null) {
                    shared = g = create(threads());
                }
            }
        }
        return g;
    }

    /** How many threads the shared group has (or will have). */
    public static int size() {
        return threads();
    }

    static int threads() {
        String configured = System.getProperty("geows.ioThreads");
        if (configured != null) {
            try {
                int n = Integer.parseInt(configured.trim());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the default
            }
        }
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** One thread that accepts connections for one node's transport (and does nothing else). */
    static EventLoopGroup acceptor(String nodeId) {
        return new MultiThreadIoEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "geows-accept-" + nodeId);
            t.setDaemon(true);
            return t;
        }, NioIoHandler.newFactory());
    }

    private static EventLoopGroup create(int threads) {
        AtomicInteger n = new AtomicInteger();
        return new MultiThreadIoEventLoopGroup(threads, r -> {
            Thread t = new Thread(r, "geows-io-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, NioIoHandler.newFactory());
    }
}
