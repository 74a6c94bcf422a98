package io.geows.client;

/**
 * Receives a client's connection events and the messages that belong to no room. Extend
 * {@link ClientListenerAdapter} to implement only some methods.
 *
 * <p>Threading: called on the client's listener executor, one call at a time, in the order the
 * events happened (see {@link GeoWsClient.Builder#listenerExecutor(java.util.concurrent.Executor)}).
 * A method that throws is logged and does not stop the client. Do not block on a client future
 * in a callback: the callback thread is the one that completes it.
 *
 * @since 0.1.0
 */
public interface ClientListener {
    /**
     * The connection state changed.
     *
     * @param event the change, not null
     */
    void onConnectionEvent(ConnectionEvent event);

    /**
     * A direct message to this client's user arrived ({@link Message#room()} is {@code null}).
     *
     * @param message the message, not null
     */
    void onDirect(Message message);

    /**
     * A server-wide broadcast arrived ({@link Message#room()} and {@link Message#from()} are
     * {@code null}).
     *
     * @param message the message, not null
     */
    void onBroadcast(Message message);
}
