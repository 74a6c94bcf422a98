package io.geows.spi;

import io.geows.Topics;
import java.util.List;

/**
 * What a {@link Router} may consult.
 *
 * @param topics     topic naming of this node
 * @param nodeId     this node's id
 * @param region     this node's region
 * @param recipients for a direct message: where the recipient is connected (this node included
 *                   when it holds a session of the user); empty for other messages
 * @param zone       for a room message: the residency zone the room is pinned to
 *                   ({@link io.geows.Residency}), whose broker carries every topic the route names;
 *                   {@code null} for a global room and for other messages (the global broker)
 * @since 0.1.0
 */
public record RouteContext(Topics topics, String nodeId, String region, List<PresenceMember> recipients, String zone) {
    /** Copies the list. */
    public RouteContext {
        recipients = List.copyOf(recipients);
    }

    /** Without a zone (a global room, or not a room message). */
    public RouteContext(Topics topics, String nodeId, String region, List<PresenceMember> recipients) {
        this(topics, nodeId, region, recipients, null);
    }
}
