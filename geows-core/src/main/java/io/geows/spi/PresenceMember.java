package io.geows.spi;

import java.util.Objects;

/**
 * One user of a room, on one node.
 *
 * @param user   user id
 * @param region region of the node the user is connected to
 * @param nodeId that node
 * @since 0.1.0
 */
public record PresenceMember(String user, String region, String nodeId) {
    /** Validates the fields. */
    public PresenceMember {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(nodeId, "nodeId");
    }
}
