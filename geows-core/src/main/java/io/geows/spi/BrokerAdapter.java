package io.geows.spi;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One node's connection to the broker that carries messages between nodes and regions.
 *
 * <p>A node owns the adapter it is given: {@link io.geows.GeoWsNode#close()} closes it. Each node
 * needs its own adapter instance (its own subscriptions and state listeners), even when several
 * nodes share one broker.
 *
 * <p>Threading: every method is thread-safe and non-blocking; results complete on the adapter's
 * threads. Listeners are called on the adapter's threads, messages of one topic in publish order;
 * they must return quickly and never block.
 *
 * <p>Reconnection is the adapter's job: when the connection drops it reports
 * {@link BrokerEvent#LOST}, keeps trying, and on success re-subscribes every live
 * {@link Subscription} by itself before reporting {@link BrokerEvent#RESTORED}.
 *
 * @since 0.1.0
 */
public interface BrokerAdapter extends AutoCloseable {

    /**
     * Publishes bytes to a topic, without history.
     *
     * @param topic   the topic, already escaped by {@link io.geows.Topics}
     * @param payload the bytes; the caller hands the array over and must not modify it afterwards (so
     *                adapters need not copy it)
     * @return completes when the broker accepted the message, or exceptionally with
     *         {@link io.geows.BrokerUnavailableException} when it cannot be reached
     */
    CompletableFuture<Void> publish(String topic, byte[] payload);

    /**
     * Subscribes to a topic. Messages published after the returned future completes are delivered to
     * the listener until the subscription is closed, across reconnects.
     *
     * @return completes with the live subscription once the broker confirmed it
     */
    CompletableFuture<Subscription> subscribe(String topic, BrokerListener listener);

    /** The room history kept by this broker. */
    History history();

    /** The node and user directory kept by this broker. */
    Presence presence();

    /** Whether the adapter is connected to the broker right now. */
    boolean isConnected();

    /**
     * Registers a listener for connection events. Events are delivered in order, on the adapter's
     * threads.
     */
    void addListener(BrokerEventListener listener);

    /** A short name for logs and metrics, such as {@code memory} or {@code redis}. */
    String name();

    /**
     * Where the broker keeps what the node depends on, as the adapter last saw it: role to holder,
     * for operators (readiness, metrics, logs) to see which region holds what and when it moves.
     * For example {@code {"primary": "10.0.2.7:6379"}} (Redis behind Sentinel) or
     * {@code {"history": "eu-west-1"}} (the server leading a NATS history stream). Holders are the
     * broker's own names for its servers: name servers after their region to read this at a glance.
     * Never blocks; the default is empty (nothing to tell, as for a broker in one place).
     *
     * @return an immutable map, possibly empty
     */
    default Map<String, String> placement() {
        return Map.of();
    }

    /** Closes the connection and every subscription. Idempotent. Never throws. */
    @Override
    void close();
}
