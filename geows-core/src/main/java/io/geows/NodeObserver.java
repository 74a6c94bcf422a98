package io.geows;

/**
 * Hooks for metrics and tracing: a node tells its observer what happens, as it happens. Counters that
 * need no per-event detail are in {@link GeoWsNode#stats()} instead.
 *
 * <p>Threading: called on transport and broker threads, concurrently; implementations must be
 * thread-safe, fast and must not throw (an exception is logged and ignored). All methods have empty
 * defaults.
 *
 * @since 0.1.0
 */
public interface NodeObserver {

    /** An observer that does nothing. */
    NodeObserver NONE = new NodeObserver() {
    };

    /**
     * A client frame was received and decoded.
     *
     * @param type the frame type ({@code hello}, {@code publish}, ...) or {@code invalid} when it
     *             could not be decoded
     */
    default void frameReceived(String type) {
    }

    /**
     * A message was handed to local sessions.
     *
     * @param kind                  {@code message} (room), {@code direct} or {@code broadcast}
     * @param originRegion          the region of the node that accepted it from its sender
     * @param originTimestampMillis when that node accepted it (epoch millis)
     * @param recipients            how many local sessions it was queued for
     */
    default void delivered(String kind, String originRegion, long originTimestampMillis, int recipients) {
    }
}
