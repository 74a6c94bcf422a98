package io.geows;

/**
 * Observes a room's messages from every region on the application's side, e.g. to store or moderate
 * them: {@link GeoWsNode#listen(String, RoomListener)}. Each message that reaches the room after the
 * listener was registered is given once, in the room's order (the order members see), with its
 * position; the application's own {@link GeoWsNode#publish} messages included.
 *
 * <p>To see every client message of every room exactly once across the cluster instead, use a
 * {@link PublishInterceptor}: it runs once per message, on the node the sender is connected to.
 *
 * <p>Threading: called on the node's hook executor, one message at a time per listener. A listener
 * that throws is logged; the next message still comes.
 *
 * @since 0.2.0
 */
@FunctionalInterface
public interface RoomListener {

    /** One message of the room. */
    void onMessage(RoomMessage message);
}
