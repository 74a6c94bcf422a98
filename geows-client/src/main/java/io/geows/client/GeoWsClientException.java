package io.geows.client;

import java.time.Duration;

/**
 * The root of every failure the client reports, unchecked. Futures returned by the client complete
 * exceptionally with this type or one of its subtypes:
 * {@link ConnectFailedException}, {@link SessionRefusedException}, {@link RequestRejectedException},
 * {@link QueueFullException}.
 *
 * @since 0.1.0
 */
public class GeoWsClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure with a message that says what failed and what to do.
     *
     * @param message the message
     */
    public GeoWsClientException(String message) {
        super(message);
    }

    /**
     * A failure with a message and its cause.
     *
     * @param message the message
     * @param cause   the cause, may be null
     */
    public GeoWsClientException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The client was closed before the operation completed.
     *
     * @param what the operation, e.g. {@code "publish 'c1-7' to 'lobby'"}
     * @return the exception
     */
    public static GeoWsClientException closed(String what) {
        return new GeoWsClientException("the client was closed before " + what
                + " completed; build a new client to go on");
    }

    /**
     * The operation got no answer in time.
     *
     * @param what    the operation
     * @param timeout the time it was given
     * @return the exception
     */
    public static GeoWsClientException timeout(String what, Duration timeout) {
        return new GeoWsClientException(what + " got no answer within " + timeout
                + "; the node may be overloaded or unreachable - raise requestTimeout(...) if it is just slow");
    }

    /**
     * The room was already joined by this client.
     *
     * @param room the room
     * @return the exception
     */
    public static GeoWsClientException alreadyJoined(String room) {
        return new GeoWsClientException("room '" + room + "' is already joined by this client;"
                + " use its RoomHandle, or leave it before joining again");
    }

    /**
     * A direct message was sent but the session was lost before the node acknowledged it; direct
     * messages are not deduplicated, so the client does not resend it by itself.
     *
     * @param id     the message id
     * @param region the region whose session was lost
     * @return the exception
     */
    public static GeoWsClientException directUnconfirmed(String id, String region) {
        return unconfirmed("direct message '" + id + "'", region);
    }

    /**
     * A request that is not deduplicated by the node (a direct message, an rpc) was sent, and the
     * session was lost before its answer: it may or may not have been carried out.
     *
     * @param what   the request, e.g. {@code "rpc 'order.status' (c1-7)"}
     * @param region the region whose session was lost
     * @return the exception
     * @since 0.2.0
     */
    public static GeoWsClientException unconfirmed(String what, String region) {
        return new GeoWsClientException("the session with " + region + " was lost before " + what
                + " was answered; it may or may not have been carried out - send it again if doing it twice is harmless");
    }
}
