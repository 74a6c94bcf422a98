package io.geows;

import java.util.Locale;

/**
 * The stable codes of {@code error} frames (see {@code docs/protocol.md}). The wire form is the
 * lower-case name, e.g. {@code bad_json}. Codes the application chooses ({@link PublishDecision#reject(String,
 * String)}, {@link RpcReply#error}) come as {@code app.<code>}.
 *
 * @since 0.1.0
 */
public enum ErrorCode {
    /** Not valid JSON, not an object, too deep or a string too long. */
    BAD_JSON,
    /** A required field is missing or malformed. */
    BAD_REQUEST,
    /** Missing or unknown {@code type}. */
    UNKNOWN_TYPE,
    /** The client set a field only the node sets. */
    FORBIDDEN_FIELD,
    /** A frame other than {@code hello} before the {@code hello}. */
    NOT_AUTHENTICATED,
    /** A second {@code hello}. */
    ALREADY_AUTHENTICATED,
    /** Protocol version not supported; the connection is closed. */
    UNSUPPORTED_PROTOCOL,
    /** The token was refused; the connection is closed. */
    UNAUTHORIZED,
    /** The session is not a member of the room. */
    NOT_MEMBER,
    /** The session joined too many rooms. */
    ROOM_LIMIT,
    /** The recipient of a direct message has no session anywhere. */
    USER_OFFLINE,
    /** The room authorizer or the router refused the frame (the session stays open). */
    FORBIDDEN,
    /**
     * The session sends more frames per second than its limit; this frame was not processed (send it
     * again later). Keeping on flooding closes the session with {@link CloseCodes#RATE_LIMITED}.
     */
    RATE_LIMITED,
    /** The session's token expired; the connection is closed with {@link CloseCodes#TOKEN_EXPIRED}. */
    TOKEN_EXPIRED,
    /** The broker is unreachable; the message was not accepted. */
    UNAVAILABLE,
    /**
     * The node has more room joins waiting than it admits ({@link NodeLimits#maxJoinsWaiting()}):
     * nothing was done; try again after a backoff. A {@code hello} that resumes rooms is answered so
     * and closed with {@link CloseCodes#TRY_AGAIN_LATER}.
     */
    OVERLOADED,
    /** An unexpected failure on the node. */
    INTERNAL,
    /** An {@code rpc} names a method no handler is registered for. @since 0.2.0 */
    UNKNOWN_METHOD,
    /**
     * The application's hook (publish interceptor, RPC handler) did not answer in time; nothing was
     * published. The request may be sent again. @since 0.2.0
     */
    TIMEOUT,
    /**
     * The application's hook failed (threw, or answered something unusable); nothing was published.
     * The details are in the node's log. @since 0.2.0
     */
    HANDLER_FAILED,
    /**
     * The room is pinned by data-residency rules to regions this node is not in: nothing was done.
     * The frame names the {@code room}, the {@code regions} that may serve it and, when one is known,
     * the {@code url} of a node there; connect there and ask again. @since 0.1.0
     */
    WRONG_REGION;

    /** The code as it appears on the wire. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
