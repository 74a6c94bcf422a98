package io.geows;

/**
 * The root of every exception geows throws. Unchecked.
 *
 * @since 0.1.0
 */
public class GeoWsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** With a message that says what failed and what to do. */
    public GeoWsException(String message) {
        super(message);
    }

    /** With a message that says what failed and what to do, and the cause. */
    public GeoWsException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The node could not bind its WebSocket port. */
    public static GeoWsException cannotBind(String host, int port, Throwable cause) {
        return new GeoWsException("Unable to listen on " + host + ":" + port + " (" + cause.getMessage()
                + ") - is another process using the port? pick another one, or 0 for a free port", cause);
    }
}
