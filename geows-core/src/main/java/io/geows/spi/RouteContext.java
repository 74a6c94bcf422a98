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
 * @since 0.1.0
 */
public record RouteContext(Topics topics, String nodeId, String region, List<PresenceMember> recipients) {
    /** Copies the list. */
    public RouteContext {
        recipients = List.copyOf(recipients);
    }
}
