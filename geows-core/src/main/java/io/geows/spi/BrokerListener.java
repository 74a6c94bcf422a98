package io.geows.spi;

/**
 * Receives the messages of a subscribed topic.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface BrokerListener {
    /**
     * Called on the adapter's thread, in publish order per topic. Must return quickly and never
     * throw; a listener that throws has the exception logged and keeps its subscription.
     */
    void onMessage(BrokerMessage message);
}
