package io.geows.spi;

/**
 * A position in a room's history.
 *
 * @param offset the offset (0 before the first message)
 * @param epoch  the epoch the offset belongs to
 * @since 0.1.0
 */
public record Position(long offset, String epoch) {
}
