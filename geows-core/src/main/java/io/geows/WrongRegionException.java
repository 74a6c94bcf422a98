package io.geows;

import java.util.Set;

/**
 * A room or a user is pinned by {@link Residency} rules to a zone this node's region is outside of:
 * nothing was published, stored or read. Use a node of one of {@link #regions()}.
 *
 * @since 0.1.0
 */
public class WrongRegionException extends GeoWsException {
    private static final long serialVersionUID = 1L;

    private final String room;
    private final String user;
    private final transient Set<String> regions;

    /**
     * @param room    the pinned room
     * @param regions the regions of its zone
     * @param region  the region of the node that refused it
     */
    public WrongRegionException(String room, Set<String> regions, String region) {
        this(room, null, regions, region);
    }

    private WrongRegionException(String room, String user, Set<String> regions, String region) {
        super((room != null ? "room '" + room + "'" : "user '" + user + "'") + " may only be served in " + regions
                + " (data residency); this node is in " + region);
        this.room = room;
        this.user = user;
        this.regions = Set.copyOf(regions);
    }

    /** A pinned user ({@link Residency.Builder#pinUsers}) asked for outside their zone. */
    public static WrongRegionException forUser(String user, Set<String> regions, String region) {
        return new WrongRegionException(null, user, regions, region);
    }

    /** The pinned room, or {@code null} when a pinned user was refused. */
    public String room() {
        return room;
    }

    /** The pinned user, or {@code null} when a pinned room was refused. */
    public String user() {
        return user;
    }

    /** The regions that may serve it. */
    public Set<String> regions() {
        return regions;
    }
}
