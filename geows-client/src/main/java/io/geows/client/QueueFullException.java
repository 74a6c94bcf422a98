package io.geows.client;

/**
 * Too many publishes and direct messages are waiting for an acknowledgement (the client is
 * disconnected, or publishes faster than the node acknowledges). Nothing was sent; slow down, or
 * raise {@link GeoWsClient.Builder#maxPending(int)}.
 *
 * @since 0.1.0
 */
public class QueueFullException extends GeoWsClientException {
    private static final long serialVersionUID = 1L;

    /**
     * A full queue.
     *
     * @param message what failed and what to do
     */
    public QueueFullException(String message) {
        super(message);
    }

    /**
     * The pending limit was reached.
     *
     * @param what  the rejected operation
     * @param limit the limit
     * @return the exception
     */
    public static QueueFullException pendingLimit(String what, int limit) {
        return new QueueFullException(what + " was not sent: " + limit
                + " messages already wait for an acknowledgement; wait for some futures to complete,"
                + " or raise maxPending(...)");
    }
}
