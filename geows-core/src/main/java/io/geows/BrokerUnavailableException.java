package io.geows;

/**
 * The broker cannot be reached right now; the operation was not performed and may be retried.
 *
 * @since 0.1.0
 */
public class BrokerUnavailableException extends GeoWsException {
    private static final long serialVersionUID = 1L;

    /** With a message naming the broker and the way out. */
    public BrokerUnavailableException(String message) {
        super(message);
    }

    /** With a message naming the broker and the way out, and the cause. */
    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The broker {@code broker} is disconnected. */
    public static BrokerUnavailableException disconnected(String broker) {
        return new BrokerUnavailableException("broker '" + broker + "' is disconnected; the operation was not performed,"
                + " retry once it reconnects");
    }
}
