package io.geows;

/**
 * The WebSocket close codes a node uses (see {@code docs/protocol.md}).
 *
 * @since 0.1.0
 */
public final class CloseCodes {
    /** Normal close: {@value}. */
    public static final int NORMAL = 1000;
    /** The node is shutting down or draining: {@value}. */
    public static final int GOING_AWAY = 1001;
    /**
     * The client closed without a status code: {@value} (as seen by a {@link ConnectionListener}).
     *
     * @since 0.2.0
     */
    public static final int NO_STATUS = 1005;
    /**
     * The connection was lost without a close frame: {@value} (as seen by a {@link ConnectionListener}).
     *
     * @since 0.2.0
     */
    public static final int ABNORMAL = 1006;
    /** A binary frame: {@value}. */
    public static final int UNSUPPORTED_DATA = 1003;
    /** A frame over the size limit: {@value}. */
    public static final int TOO_BIG = 1009;
    /** No {@code hello} in time: {@value}. */
    public static final int HELLO_TIMEOUT = 4000;
    /** The token was refused: {@value}. */
    public static final int UNAUTHORIZED = 4001;
    /**
     * The session's token expired and no fresh one came by {@code refresh} in time: {@value}. Connect
     * again with a new token.
     */
    public static final int TOKEN_EXPIRED = 4003;
    /** The browser page's {@code Origin} is not on the node's allow-list: {@value}. */
    public static final int ORIGIN_NOT_ALLOWED = 4005;
    /** Too many connections from the client's IP address: {@value}. */
    public static final int TOO_MANY_CONNECTIONS = 4009;
    /** The session kept sending far over its message rate limit: {@value}. */
    public static final int RATE_LIMITED = 4029;
    /** Unsupported protocol version: {@value}. */
    public static final int UNSUPPORTED_PROTOCOL = 4002;
    /**
     * The node is overloaded (too many joins waiting): {@value}, "Try Again Later" in the WebSocket
     * close code registry. Reconnect after a backoff, to this region or another.
     */
    public static final int TRY_AGAIN_LATER = 1013;
    /** The client does not read fast enough: {@value}. */
    public static final int SLOW_CONSUMER = 4008;

    /**
     * The lowest close code the application may use to disconnect sessions ({@code GeoWsNode.disconnectUser}):
     * {@value}. Codes {@value} to 4499 tell the client it may connect again (e.g. after a password change,
     * with a fresh token); 4500 to {@value #APPLICATION_MAX} tell it not to (e.g. after a ban).
     *
     * @since 0.2.0
     */
    public static final int APPLICATION_MIN = 4100;
    /** The highest close code the application may use: {@value}. @since 0.2.0 */
    public static final int APPLICATION_MAX = 4999;
    /**
     * The application closed the session; the client may connect again (with a fresh token): {@value}.
     *
     * @since 0.2.0
     */
    public static final int RECONNECT = 4100;
    /**
     * The application closed the session for good (e.g. the user was banned); the client does not
     * connect again by itself: {@value}.
     *
     * @since 0.2.0
     */
    public static final int FOR_GOOD = 4500;

    /** Whether an application's close code tells the client not to connect again (4500-4999). @since 0.2.0 */
    public static boolean isFinal(int code) {
        return code >= FOR_GOOD && code <= APPLICATION_MAX;
    }

    private CloseCodes() {
    }
}
