package io.geows.client;

/**
 * The node answered a request ({@code publish}, {@code direct}, {@code join}, {@code leave},
 * {@code presence}) with an {@code error} frame, e.g. {@code not_member}, {@code forbidden},
 * {@code user_offline}, {@code room_limit}, or {@code unavailable} once the client's retries are
 * spent. The codes are listed in the protocol document.
 *
 * @since 0.1.0
 */
public class RequestRejectedException extends GeoWsClientException {
    private static final long serialVersionUID = 1L;
    /** The node's error code. */
    private final String code;

    /**
     * A rejection.
     *
     * @param code    the node's error code
     * @param message what failed and what to do
     */
    public RequestRejectedException(String code, String message) {
        super(message);
        this.code = code;
    }

    /**
     * The node's error code, e.g. {@code not_member}.
     *
     * @return the code
     */
    public String code() {
        return code;
    }

    /**
     * A rejection by a node.
     *
     * @param what   the request, e.g. {@code "publish 'c1-7' to 'lobby'"}
     * @param code   the error code
     * @param detail the node's message, may be null
     * @return the exception
     */
    public static RequestRejectedException of(String what, String code, String detail) {
        return new RequestRejectedException(code, what + " was rejected: " + code
                + (detail == null ? "" : " (" + detail + ")") + hint(code));
    }

    private static String hint(String code) {
        return switch (code) {
            case "not_member" -> " - join the room first";
            case "user_offline" -> " - the user has no session in any region";
            case "room_limit" -> " - leave a room before joining another";
            case "unavailable" -> " - the node's broker stayed unreachable through every retry";
            case "forbidden" -> " - the node's router does not allow it";
            default -> "";
        };
    }
}
