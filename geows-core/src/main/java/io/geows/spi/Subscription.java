package io.geows.spi;

/**
 * A live subscription to a broker topic.
 *
 * @since 0.1.0
 */
public interface Subscription extends AutoCloseable {
    /** The subscribed topic. */
    String topic();

    /** Stops delivery. Idempotent; never throws. */
    @Override
    void close();
}
