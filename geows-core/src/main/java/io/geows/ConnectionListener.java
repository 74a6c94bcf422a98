package io.geows;

/**
 * Told when an authenticated session starts and ends on this node: for audit logs, "last seen",
 * or counting users per region. Register with {@link GeoWsNode.Builder#connectionListener}.
 *
 * <p>Threading: called on the node's hook executor ({@link GeoWsNode.Builder#hookExecutor}), never on
 * a network thread, one call at a time, and for a session always {@code connected} before
 * {@code disconnected}. A listener that throws is logged; the session is not affected. A listener
 * that takes longer than {@link GeoWsNode.Builder#hookTimeout} is logged once as slow, since every later
 * event waits for it.
 *
 * @since 0.2.0
 */
public interface ConnectionListener {

    /** A session was accepted: its {@code hello} was authenticated. */
    default void connected(SessionInfo session) {
    }

    /**
     * A session that was {@link #connected} ended.
     *
     * @param code   the WebSocket close code: the one the node sent (e.g. {@link CloseCodes#SLOW_CONSUMER},
     *               {@code 1001} when the node drains, or the code given to {@link GeoWsNode#disconnectUser}),
     *               else the one the client sent, else {@code 1006} when the connection was lost without a
     *               close frame
     * @param reason the close reason, possibly empty
     */
    default void disconnected(SessionInfo session, int code, String reason) {
    }
}
