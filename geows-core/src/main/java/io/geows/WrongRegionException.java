package io.geows;

import java.util.Set;

/**
 * The room is pinned by {@link Residency} rules to a zone this node's region is outside of: nothing
 * was published, stored or read. Use a node of one of {@link #regions()}.
 *
 * @since 0.3.0
 */
public class WrongRegionException extends GeoWsException {
    private static final long serialVersionUID = 1L;

    private final String room;
    private final transient Set<String> regions;

    /**
     * @param room    the pinned room
     * @param regions the regions of its zone
     * @param region  the region of the node that refused it
     */
    public WrongRegionException(String room, Set<String> regions, String region) {
        super("room '" + room + "' may only be served in " + regions + " (data residency); this node is in " + region);
        this.room = room;
        this.regions = Set.copyOf(regions);
    }

    /** The pinned room. */
    public String room() {
        return room;
    }

    /** The regions that may serve it. */
    public Set<String> regions() {
        return regions;
    }
}
