package io.geows.client;

/**
 * The node answered a request ({@code publish}, {@code direct}, {@code join}, {@code leave},
 * {@code presence}, {@code rpc}) with an {@code error} frame, e.g. {@code not_member}, {@code forbidden},
 * {@code user_offline}, {@code room_limit}, {@code unknown_method}, {@code timeout}, an application's
 * {@code app.<code>}, or {@code unavailable} once the client's retries are spent. The codes are listed
 * in the protocol document.
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

    /**
     * Whether the application on the node chose the error (a publish interceptor's rejection, an RPC
     * handler's error): codes {@code app.<code>}.
     *
     * @since 0.2.0
     */
    public boolean isApplicationError() {
        return code != null && code.startsWith("app.");
    }

    private static String hint(String code) {
        return switch (code) {
            case "not_member" -> " - join the room first";
            case "user_offline" -> " - the user has no session in any region";
            case "room_limit" -> " - leave a room before joining another";
            case "unavailable" -> " - the node's broker stayed unreachable through every retry";
            case "forbidden" -> " - the node's rules (authorizer, router, the application's interceptor) do not allow it";
            case "unknown_method" -> " - the node has no handler for this rpc method";
            case "timeout" -> " - the application on the node did not answer in time";
            case "handler_failed" -> " - the application on the node failed; see the node's log";
            default -> "";
        };
    }
}
