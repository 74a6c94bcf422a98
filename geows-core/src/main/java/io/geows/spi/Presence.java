package io.geows.spi;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The node and user directory, kept by the broker.
 *
 * <p>Every entry a node writes (its users, its room members) lives only as long as the node's own
 * heartbeat: when a node stops calling {@link #heartbeat} its entries disappear from every query
 * within one time-to-live, so a crashed node leaves no ghosts. This keeps the refresh cost at one
 * write per node per heartbeat instead of one per user.
 *
 * <p>Threading: thread-safe and non-blocking; failures complete exceptionally with
 * {@link io.geows.BrokerUnavailableException}.
 *
 * @since 0.1.0
 */
public interface Presence {

    /** Records that the node is alive until {@code ttl} from now, with its current details. */
    CompletableFuture<Void> heartbeat(NodeInfo node, Duration ttl);

    /** Removes a node and every entry it wrote (a graceful shutdown). */
    CompletableFuture<Void> removeNode(String nodeId);

    /** The live nodes (heartbeat within their time-to-live), in no particular order. */
    CompletableFuture<List<NodeInfo>> nodes();

    /** Records that {@code user} has at least one session on {@code member.nodeId()}'s node. */
    CompletableFuture<Void> userOnline(PresenceMember member);

    /** Records that {@code user} has no session left on the node. */
    CompletableFuture<Void> userOffline(PresenceMember member);

    /** The live nodes holding at least one session of the user. */
    CompletableFuture<List<PresenceMember>> locate(String user);

    /** Adds the member to the room. */
    CompletableFuture<Void> join(String room, PresenceMember member);

    /** Removes the member from the room. */
    CompletableFuture<Void> leave(String room, PresenceMember member);

    /** The room's members on live nodes, one entry per (user, node). */
    CompletableFuture<List<PresenceMember>> members(String room);
}
