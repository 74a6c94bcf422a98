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
     * The connection is back and every live subscription has been restored (and, where the adapter
     * can, verified). Messages published meanwhile were not delivered to this adapter: the node reads
     * them from history.
     *
     * <p>Ordering contract: an adapter reports {@code RESTORED} before it delivers any message it
     * received after the restore (hold such messages until the event is out), and never delivers a
     * message between {@code LOST} and {@code RESTORED}.
     */
    RESTORED
}
