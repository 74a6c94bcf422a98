package io.geows.spi;

/**
 * Connection events of a {@link BrokerAdapter}.
 *
 * @since 0.1.0
 */
public enum BrokerEvent {
    /** The connection was lost; publishes fail and subscriptions deliver nothing until restored. */
    LOST,
    /**
     * The connection is back and every live subscription has been restored. Messages published
     * meanwhile were not delivered to this adapter: the node reads them from history.
     */
    RESTORED
}
