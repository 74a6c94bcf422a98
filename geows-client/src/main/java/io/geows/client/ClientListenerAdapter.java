package io.geows.client;

/**
 * A {@link ClientListener} whose methods do nothing; override the ones you need.
 *
 * @since 0.1.0
 */
public class ClientListenerAdapter implements ClientListener {
    /** An adapter that ignores everything. */
    public ClientListenerAdapter() {
    }

    /** Does nothing. {@inheritDoc} */
    @Override
    public void onConnectionEvent(ConnectionEvent event) {
    }

    /** Does nothing. {@inheritDoc} */
    @Override
    public void onDirect(Message message) {
    }

    /** Does nothing. {@inheritDoc} */
    @Override
    public void onBroadcast(Message message) {
    }
}
