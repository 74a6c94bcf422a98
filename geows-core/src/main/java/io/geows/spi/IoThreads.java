package io.geows.spi;

import io.geows.internal.IoLoops;
import io.netty.channel.EventLoopGroup;

/**
 * The process's I/O threads, for broker adapters whose client runs on Netty (Lettuce does): one
 * event-loop group shared with every node's WebSocket transport, so that a broker message and the
 * socket writes it causes run on one thread, without a hand-off. Daemon threads, started on first
 * use and never shut down (they idle in the selector); their number is {@code -Dgeows.ioThreads}, else
 * the number of processors.
 *
 * @since 0.2.0
 */
public final class IoThreads {
    private IoThreads() {
    }

    /** The shared group. Never shut it down: the nodes' transports run on it too. */
    public static EventLoopGroup shared() {
        return IoLoops.shared();
    }

    /** How many threads the shared group has (or will have once started). */
    public static int size() {
        return IoLoops.size();
    }
}
