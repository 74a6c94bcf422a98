package io.geows;

/**
 * How a room's members hear about each other (see {@link PresencePolicy}). Whatever the mode, the
 * node keeps the presence directory, so a client's {@code presence} request lists the members.
 *
 * @since 0.1.0
 */
public enum PresenceMode {
    /** One {@code presence} frame per join and per leave, at once. Fine for small rooms. */
    EVENTS,
    /**
     * The joins and leaves of one window ({@link PresencePolicy#window()}) as one frame with
     * {@code event: "diff"}: one frame per window instead of one per change; a join and a leave of
     * the same member within the window cancel out.
     */
    DIFF,
    /**
     * No member lists: frames with {@code event: "count"} carry the number of members in every
     * region, at most one per {@link PresencePolicy#countInterval()} and only when it changed. For
     * rooms of thousands, where every member hearing of every other would cost the square of the
     * room's size.
     */
    COUNT,
    /**
     * {@link #DIFF} while the room has at most {@link PresencePolicy#listLimit()} members (in every
     * region), {@link #COUNT} above. The default.
     */
    AUTO,
    /** No presence frames at all. */
    OFF
}
