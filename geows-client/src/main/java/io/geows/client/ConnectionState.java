package io.geows.client;

/**
 * Where a client's connection stands (as nats.java's {@code ConnectionListener.Events}). Told to
 * {@link ClientListener#onConnectionEvent(ConnectionEvent)} on every change.
 *
 * @since 0.1.0
 */
public enum ConnectionState {
    /** {@link GeoWsClient#connect()} was called: learning and measuring regions, first attempts. */
    CONNECTING,
    /** The first session is established: the node said {@code welcome}. */
    CONNECTED,
    /** The session was lost (close, error, missed heartbeats, {@code goaway}); trying the next region. */
    RECONNECTING,
    /**
     * A session is established again after a loss, in the region the event names (which may be
     * the same one): rooms were resumed and unacknowledged publishes resent.
     */
    FAILED_OVER,
    /**
     * Terminal: closed by the application, or given up (the token was refused, the protocol is
     * not supported, or no region could be reached within the connect timeout); the event's
     * cause says which.
     */
    CLOSED
}
