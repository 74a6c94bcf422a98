package io.geows.client;

import java.time.Duration;
import java.util.Objects;

/**
 * What the client learned about a region before connecting: whether it answered, how long opening
 * a WebSocket to it took, and whether it says it is ready (from {@code /regions}).
 *
 * @param region    the region
 * @param reachable whether a WebSocket could be opened (assumed {@code true} when not measured)
 * @param rtt       the time to open a WebSocket, or {@code null} when not measured or unreachable
 * @param ready     whether the region reported itself ready ({@code true} when unknown)
 * @since 0.1.0
 */
public record RegionProbe(Region region, boolean reachable, Duration rtt, boolean ready) {
    /**
     * Checks the values.
     *
     * @param region    the region
     * @param reachable whether it answered
     * @param rtt       the time to open a WebSocket, or {@code null}
     * @param ready     whether it said it is ready
     * @throws NullPointerException when {@code region} is null
     */
    public RegionProbe {
        Objects.requireNonNull(region, "region");
    }

    /**
     * A region that answered in {@code rtt}.
     *
     * @param region the region, not null
     * @param rtt    the measured time, not null
     * @param ready  what the region said about itself ({@code true} when unknown)
     * @return the probe
     */
    public static RegionProbe measured(Region region, Duration rtt, boolean ready) {
        return new RegionProbe(region, true, Objects.requireNonNull(rtt, "rtt"), ready);
    }

    /**
     * A region that did not answer in time.
     *
     * @param region the region, not null
     * @return the probe
     */
    public static RegionProbe unreachable(Region region) {
        return new RegionProbe(region, false, null, false);
    }

    /**
     * A region that was not measured (round-trip measurement turned off).
     *
     * @param region the region, not null
     * @param ready  what the region said about itself ({@code true} when unknown)
     * @return the probe
     */
    public static RegionProbe unmeasured(Region region, boolean ready) {
        return new RegionProbe(region, true, null, ready);
    }

    /**
     * Whether the region is worth trying first: reachable and ready.
     *
     * @return {@code true} when healthy
     */
    public boolean healthy() {
        return reachable && ready;
    }
}
