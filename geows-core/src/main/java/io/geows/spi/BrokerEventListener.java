package io.geows.spi;

/**
 * Receives a {@link BrokerAdapter}'s connection events.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface BrokerEventListener {
    /** Called on the adapter's thread; must return quickly. */
    void onEvent(BrokerEvent event);
}
