package io.geows.spi;

/**
 * The result of {@link History#append}.
 *
 * @param offset    the message's offset
 * @param epoch     the room's epoch
 * @param duplicate whether the message key had been appended before (nothing was published)
 * @since 0.1.0
 */
public record Appended(long offset, String epoch, boolean duplicate) {
}
