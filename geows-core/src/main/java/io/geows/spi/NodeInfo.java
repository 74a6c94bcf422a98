package io.geows.spi;

import java.util.Objects;

/**
 * A node as the node directory shows it.
 *
 * @param nodeId      unique node id
 * @param region      the node's region
 * @param publicUrl   the WebSocket URL clients use to reach it, or {@code null} if not configured
 * @param connections the node's session count at its last heartbeat
 * @param lastSeenMillis when the node last heartbeated (epoch millis, broker or node clock)
 * @since 0.1.0
 */
public record NodeInfo(String nodeId, String region, String publicUrl, int connections, long lastSeenMillis) {
    /** Validates the ids. */
    public NodeInfo {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(region, "region");
    }
}
