package io.geows.client;

/**
 * Whether to try again after a lost session or a rejected request, and why, as guard clauses with
 * one line of reason each (as okhttp's {@code RetryAndFollowUpInterceptor.isRecoverable}). Pure:
 * no clock, no state.
 */
record RetryDecision(boolean retry, String reason) {
    static final String UNAUTHORIZED = "unauthorized";
    static final String UNSUPPORTED_PROTOCOL = "unsupported_protocol";
    static final String UNAVAILABLE = "unavailable";
    static final String WRONG_REGION = "wrong_region";
    static final String RATE_LIMITED = "rate_limited";
    static final String TOKEN_EXPIRED = "token_expired";
    static final String OVERLOADED = "overloaded";

    /** Java-WebSocket's code for "the connection could not be opened". */
    static final int NEVER_CONNECTED = -1;
    static final int GOING_AWAY = 1001;
    static final int PROTOCOL_ERROR = 1002;
    static final int UNSUPPORTED_DATA = 1003;
    static final int ABNORMAL = 1006;
    static final int TOO_BIG = 1009;
    static final int TRY_AGAIN_LATER = 1013;
    static final int HELLO_TIMEOUT = 4000;
    static final int CLOSE_UNAUTHORIZED = 4001;
    static final int CLOSE_UNSUPPORTED_PROTOCOL = 4002;
    static final int CLOSE_TOKEN_EXPIRED = 4003;
    static final int SLOW_CONSUMER = 4008;
    static final int APPLICATION_RECONNECT = 4100;
    static final int APPLICATION_FOR_GOOD = 4500;
    static final int APPLICATION_MAX = 4999;

    /**
     * After a connection ended (or could not be opened).
     *
     * @param closeCode  the WebSocket close code ({@link #NEVER_CONNECTED} when it never opened)
     * @param helloError the error code the node answered the {@code hello} with, or null
     */
    static RetryDecision afterClose(int closeCode, String helloError) {
        if (UNAUTHORIZED.equals(helloError) || closeCode == CLOSE_UNAUTHORIZED) {
            return giveUp("the node refused the token; the same token would be refused again");
        }
        if (UNSUPPORTED_PROTOCOL.equals(helloError) || closeCode == CLOSE_UNSUPPORTED_PROTOCOL) {
            return giveUp("the node does not speak protocol 1; no other attempt can change that");
        }
        if (TOKEN_EXPIRED.equals(helloError) || closeCode == CLOSE_TOKEN_EXPIRED) {
            return retry("the token expired; the next hello asks the token supplier for a fresh one");
        }
        if (OVERLOADED.equals(helloError) || closeCode == TRY_AGAIN_LATER) {
            return retry("the node had too many joins waiting; resuming after a backoff from the same positions");
        }
        if (helloError != null && !UNAVAILABLE.equals(helloError)) {
            return giveUp("the node rejected the hello with '" + helloError + "'; the same hello would be rejected again");
        }
        if (closeCode >= APPLICATION_FOR_GOOD && closeCode <= APPLICATION_MAX) {
            return giveUp("the application closed the session for good (close code " + closeCode + ", e.g. a ban)");
        }
        if (closeCode >= APPLICATION_RECONNECT && closeCode < APPLICATION_FOR_GOOD) {
            return retry("the application closed the session (close code " + closeCode + ", e.g. a password change); "
                    + "connecting again with a token from the token supplier");
        }
        if (closeCode == UNSUPPORTED_DATA) {
            return giveUp("the node refused a binary frame: a client bug that a retry would repeat");
        }
        if (closeCode == TOO_BIG) {
            return giveUp("a frame was larger than the node accepts; set maxFrameBytes(...) to the node's limit");
        }
        if (closeCode == PROTOCOL_ERROR) {
            return giveUp("the node saw a WebSocket protocol error: a client bug that a retry would repeat");
        }
        if (closeCode == GOING_AWAY) {
            return retry("the node is going away (draining or shutting down)");
        }
        if (closeCode == SLOW_CONSUMER) {
            return retry("the node dropped the session as a slow consumer; resuming from the last positions");
        }
        if (closeCode == HELLO_TIMEOUT) {
            return retry("the hello did not reach the node in time");
        }
        if (closeCode == NEVER_CONNECTED) {
            return retry("the connection could not be opened");
        }
        return retry("the connection was lost (close code " + closeCode + ")");
    }

    /**
     * After a node answered a publish, direct, join or presence request with an error.
     *
     * @param errorCode the error code
     */
    static RetryDecision afterError(String errorCode) {
        if (WRONG_REGION.equals(errorCode)) {
            return giveUp("the room is kept in other regions only (data residency), and the client could not move there");
        }
        if (UNAVAILABLE.equals(errorCode)) {
            return retry("the node's broker is unreachable: nothing was accepted, the same id can be sent again");
        }
        if (OVERLOADED.equals(errorCode)) {
            return retry("the node had too many joins waiting: nothing was done, send it again later");
        }
        if (RATE_LIMITED.equals(errorCode)) {
            return retry("the session sent more than the node's rate limit: nothing was accepted, send it again later");
        }
        return giveUp("the node answered '" + errorCode + "'; the same request would get the same answer");
    }

    private static RetryDecision retry(String reason) {
        return new RetryDecision(true, reason);
    }

    private static RetryDecision giveUp(String reason) {
        return new RetryDecision(false, reason);
    }
}
