package io.geows.client;

import java.util.List;

/**
 * The regions a client may connect to, in the order it should try them. The client asks for
 * {@link #next()}, connects there, and reports the outcome with {@link #succeeded(Region)} or
 * {@link #failed(Region)}; a session that is lost later is reported as failed too.
 *
 * <p>The default, {@link #nearestFirst()}, orders healthy regions by round-trip time (a pinned
 * preferred region first) and moves a failed region to the back instead of dropping it, so it is
 * tried again once the others have failed too.
 *
 * <p>Threading: each client calls its pool from one thread at a time (its event loop), so an
 * implementation need not be thread-safe; it must not block.
 *
 * @since 0.1.0
 */
public interface RegionPool {
    /**
     * Replaces the known regions with fresh measurements. Called when the client connects (and
     * after it learned the regions from {@code /regions}), before the first {@link #next()}.
     *
     * @param probes          one probe per region, in the order the regions were given; not null
     * @param preferredRegion the region name the application pinned, or {@code null}
     */
    void update(List<RegionProbe> probes, String preferredRegion);

    /**
     * The region to try now. Does not change the order: the outcome is reported separately.
     *
     * @return the region, or {@code null} when the pool knows none
     */
    Region next();

    /**
     * A session was established with the region (its node said {@code welcome}).
     *
     * @param region the region, not null
     */
    void succeeded(Region region);

    /**
     * Connecting to the region failed, or a session with it was lost.
     *
     * @param region the region, not null
     */
    void failed(Region region);

    /**
     * The regions in the order they would be tried now.
     *
     * @return an immutable snapshot
     */
    List<Region> regions();

    /**
     * The default pool: healthy regions by round-trip time (the preferred one first when healthy),
     * then the others in the order given; a failed region moves to the back.
     *
     * @return a new pool, for one client
     */
    static RegionPool nearestFirst() {
        return new DefaultRegionPool();
    }
}
