package io.geows.nats;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** jnats' connection and error callbacks, forwarded to the broker and to the user's own listeners. */
final class NatsCallbacks implements ConnectionListener, ErrorListener {
    private static final Logger log = LoggerFactory.getLogger(NatsBroker.class);
    private final ConnectionListener userConnection;
    private final ErrorListener userError;
    private volatile NatsBroker broker;
    /** The last exception jnats reported; explains a failed first connect (a TLS handshake, say). */
    volatile Exception lastException;

    NatsCallbacks(ConnectionListener userConnection, ErrorListener userError) {
        this.userConnection = userConnection;
        this.userError = userError;
    }

    void bind(NatsBroker b) {
        this.broker = b;
    }

    @Override
    public void connectionEvent(Connection conn, ConnectionListener.Events type) {
        NatsBroker b = broker;
        if (b != null) {
            b.onConnectionEvent(type);
        }
        if (userConnection != null) {
            userConnection.connectionEvent(conn, type);
        }
    }

    @Override
    public void errorOccurred(Connection conn, String error) {
        if (error != null && error.contains("Permissions Violation")) {
            // The account's permissions lack something a node needs: see docs/deployment.md.
            log.warn("NATS refused an operation of this node: {}", error);
        } else {
            log.debug("NATS error: {}", error);
        }
        if (userError != null) {
            userError.errorOccurred(conn, error);
        }
    }

    @Override
    public void exceptionOccurred(Connection conn, Exception exp) {
        lastException = exp;
        log.debug("NATS exception: {}", exp.toString());
        if (userError != null) {
            userError.exceptionOccurred(conn, exp);
        }
    }

    @Override
    public void slowConsumerDetected(Connection conn, Consumer consumer) {
        NatsBroker b = broker;
        if (b != null) {
            b.slowConsumer(consumer);
        }
        if (userError != null) {
            userError.slowConsumerDetected(conn, consumer);
        }
    }
}
