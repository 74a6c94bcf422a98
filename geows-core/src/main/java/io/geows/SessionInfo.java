package io.geows;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A client session as the application's hooks see it.
 *
 * @param sessionId     the session id, unique in the cluster (it starts with the node id); what
 *                      {@link GeoWsNode#disconnectSession} takes
 * @param identity      who the session authenticated as
 * @param region        the region of the node that holds the session
 * @param nodeId        the node that holds the session
 * @param remoteAddress the client's address, or {@code null} when unknown
 * @since 0.2.0
 */
public record SessionInfo(String sessionId, Identity identity, String region, String nodeId,
                          InetSocketAddress remoteAddress) {
    /** Checks the required fields. */
    public SessionInfo {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(nodeId, "nodeId");
    }

    /** The authenticated user id: {@code identity().userId()}. */
    public String userId() {
        return identity.userId();
    }
}
