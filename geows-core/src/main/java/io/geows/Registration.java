package io.geows;

/**
 * Something registered with a node that can be undone, e.g. a {@link RoomListener}. Closing is
 * idempotent.
 *
 * @since 0.2.0
 */
@FunctionalInterface
public interface Registration extends AutoCloseable {
    /** Undoes the registration; no more calls come after it returns (one in progress may finish). */
    @Override
    void close();
}
