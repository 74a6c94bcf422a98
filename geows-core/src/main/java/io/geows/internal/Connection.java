package io.geows.internal;

import java.net.InetSocketAddress;

/**
 * One client connection as a session sees it: what a transport must offer so that the node's
 * sessions do not depend on the WebSocket library underneath. Thread-safe: any thread may queue a
 * frame; the transport writes it.
 */
interface Connection {
    /** The peer's address, or {@code null} when it is gone. */
    InetSocketAddress remoteAddress();

    boolean isOpen();

    /** Starts the closing handshake with this code and reason. Never throws. */
    void close(int code, String reason);

    /** Drops the TCP connection without waiting for the peer (a client that stopped reading). */
    void abort(int code, String reason);

    /** Server frames queued and not yet written. */
    int queuedFrames();

    /** Bytes of the queued frames (may walk the queue: call rarely). */
    long queuedBytes();

    /**
     * Queues one text frame carrying {@code utf8Json}; the same array may be queued on many
     * connections (the transport frames it once per thread and fan-out).
     *
     * @return false when the connection is closed
     */
    boolean sendText(byte[] utf8Json);
}
