package io.geows.client;

/**
 * The node refused the session for a reason that retrying cannot fix: the token was refused
 * ({@code unauthorized}, close 4001), the protocol version is not supported
 * ({@code unsupported_protocol}, close 4002), or the client broke the protocol. The client does
 * not retry; it closes.
 *
 * @since 0.1.0
 */
public class SessionRefusedException extends GeoWsClientException {
    private static final long serialVersionUID = 1L;
    /** The node's error code. */
    private final String code;

    /**
     * A refusal.
     *
     * @param code    the node's error code, or {@code "close_<code>"} when only a close code said it
     * @param message what failed and what to do
     */
    public SessionRefusedException(String code, String message) {
        super(message);
        this.code = code;
    }

    /**
     * The node's error code, e.g. {@code unauthorized}.
     *
     * @return the code
     */
    public String code() {
        return code;
    }

    /**
     * The token was refused.
     *
     * @param region the region that refused it
     * @param detail the node's message, may be null
     * @return the exception
     */
    public static SessionRefusedException unauthorized(String region, String detail) {
        return new SessionRefusedException("unauthorized", "region " + region + " refused the token"
                + (detail == null ? "" : " (" + detail + ")")
                + "; not retrying - give a valid token with token(...) or tokenSupplier(...)");
    }

    /**
     * The node does not speak this client's protocol version.
     *
     * @param region the region
     * @param detail the node's message, may be null
     * @return the exception
     */
    public static SessionRefusedException unsupportedProtocol(String region, String detail) {
        return new SessionRefusedException("unsupported_protocol", "region " + region
                + " does not speak geows protocol 1" + (detail == null ? "" : " (" + detail + ")")
                + "; not retrying - use a client version that matches the nodes");
    }

    /**
     * The node ended the session for a protocol violation or another reason retrying would repeat.
     *
     * @param region the region
     * @param code   the error code or {@code close_<code>}
     * @param reason why, as decided by the client's retry rules
     * @return the exception
     */
    public static SessionRefusedException notRetryable(String region, String code, String reason) {
        return new SessionRefusedException(code, "region " + region + " ended the session (" + code + "): " + reason
                + "; not retrying");
    }
}
