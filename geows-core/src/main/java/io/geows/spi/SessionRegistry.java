package io.geows.spi;

import java.util.Collection;
import java.util.Optional;

/**
 * The node's registry of its local sessions and their room memberships.
 *
 * <p>Threading: every method is thread-safe and must not block: it is called on transport threads
 * for every frame and on broker threads for every delivery. The collections returned are
 * read-only views or snapshots that callers may iterate while the registry changes (weakly
 * consistent).
 *
 * @since 0.1.0
 */
public interface SessionRegistry {

    /** Adds an authenticated session. */
    void register(Session session);

    /** Removes the session and all its room memberships. Returns the rooms it was in. */
    Collection<String> unregister(Session session);

    /** Adds the session to a room. Returns {@code false} when it was already a member. */
    boolean join(Session session, String room);

    /** Removes the session from a room. Returns {@code false} when it was not a member. */
    boolean leave(Session session, String room);

    /** The room's local members. */
    Collection<Session> members(String room);

    /** The sessions of a user on this node. */
    Collection<Session> byUser(String user);

    /** The session with this id, if it is registered here. */
    Optional<Session> byId(String sessionId);

    /** Every registered session. */
    Collection<Session> all();

    /** The number of registered sessions. */
    int sessionCount();

    /** The number of rooms with at least one local member. */
    int roomCount();
}
