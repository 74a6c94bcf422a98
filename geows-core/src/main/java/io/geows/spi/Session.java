package io.geows.spi;

import java.net.InetSocketAddress;
import java.util.Set;

/**
 * One client connection to a node, as the {@link SessionRegistry} and {@link Router} see it.
 *
 * <p>Threading: thread-safe. Identity fields never change once the session is authenticated.
 *
 * @since 0.1.0
 */
public interface Session {
    /** The session id, unique within the cluster (it starts with the node id). */
    String id();

    /** The authenticated user id, or {@code null} before the {@code hello} was accepted. */
    String user();

    /** The rooms the session has joined (a snapshot). */
    Set<String> rooms();

    /** The client's address, or {@code null} when unknown. */
    InetSocketAddress remoteAddress();

    /** Whether the connection is open. */
    boolean isOpen();

    /**
     * Closes the connection with a WebSocket close code and reason. Idempotent.
     *
     * @param code   a close code from the protocol (see {@code docs/protocol.md})
     * @param reason short text sent to the client
     */
    void close(int code, String reason);
}
