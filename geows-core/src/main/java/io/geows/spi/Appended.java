package io.geows.spi;

/**
 * The result of {@link History#append}.
 *
 * @param offset    the message's offset
 * @param epoch     the room's epoch
 * @param duplicate whether the message key had been appended before (nothing was published)
 * @param rejected  entries the adapter found in the way in the room's history and removed because no
 *                  node wrote them (someone else writes to the broker); the node counts them
 * @since 0.1.0
 */
public record Appended(long offset, String epoch, boolean duplicate, int rejected) {
    /** An append that met nothing foreign. */
    public Appended(long offset, String epoch, boolean duplicate) {
        this(offset, epoch, duplicate, 0);
    }
}
