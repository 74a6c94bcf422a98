package io.geows.internal;

import io.geows.BrokerUnavailableException;
import io.geows.ErrorCode;
import io.geows.RoomAuthorizer;
import io.geows.spi.NodeInfo;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node answers a session that asked for something it cannot have: an {@code error} frame
 * naming the request, counted, and logged once per session.
 */
final class Replies {
    private static final Logger log = LoggerFactory.getLogger(Replies.class);

    private final NodeContext node;
    private final RoomAuthorizer authorizer;

    Replies(NodeContext node, RoomAuthorizer authorizer) {
        this.node = node;
        this.authorizer = authorizer;
    }

    /** A frame the node refuses: counted as bad, logged once per session. */
    void reject(WsSession s, ErrorCode code, String message, String ref) {
        node.counters.badFrames.increment();
        s.logOnce("rejected frame:", code.wireName() + " (" + message + ")");
        s.send(ServerFrames.error(code, message, ref));
    }

    /** A broker operation that failed: {@code unavailable} when the broker is away, else {@code internal}. */
    void unavailable(WsSession s, String ref, Throwable err) {
        if (s.isClosed()) {
            return; // nobody to tell
        }
        Throwable cause = unwrap(err);
        if (cause instanceof BrokerUnavailableException) {
            s.send(ServerFrames.error(ErrorCode.UNAVAILABLE, "broker unavailable; not done, try again later", ref));
        } else {
            log.error("session {}: broker operation failed", s.id(), cause);
            s.send(ServerFrames.error(ErrorCode.INTERNAL, "internal error", ref));
        }
    }

    /** Whether the session may do this; counts a refusal. An authorizer that throws refuses. */
    boolean allowed(WsSession s, RoomAuthorizer.Action action, String room) {
        boolean ok;
        try {
            ok = authorizer.allows(s.identity(), action, room);
        } catch (RuntimeException e) {
            log.error("room authorizer failed for session {} ({} {}); refusing", s.id(), action, room, e);
            ok = false;
        }
        if (!ok) {
            node.counters.accessDenied.increment();
            s.logOnce("access denied:", action.name().toLowerCase(Locale.ROOT) + " room '" + room + "'");
        }
        return ok;
    }

    /** Whether the session may do this, answering {@code forbidden} when not. */
    boolean allowedOrDenied(WsSession s, RoomAuthorizer.Action action, String room, String ref) {
        if (allowed(s, action, room)) {
            return true;
        }
        s.send(ServerFrames.error(ErrorCode.FORBIDDEN, "not allowed to "
                + action.name().toLowerCase(Locale.ROOT) + " in room '" + room + "'", ref));
        return false;
    }

    /**
     * Whether this node may serve the room under the residency rules; when not, answers
     * {@code wrong_region} naming the zone's regions and a node there to use (from the node directory,
     * looked up at most once a second), counted and logged once per session.
     */
    boolean servedOrRedirected(WsSession s, String room, String ref) {
        if (node.brokers.serves(room)) {
            return true;
        }
        wrongRegion(s, new io.geows.WrongRegionException(room, node.brokers.rules().regionsOf(node.brokers.zoneOf(room)),
                node.region), ref, null);
        return false;
    }

    /**
     * Answers {@code wrong_region} for a pinned room or user: the regions that may serve it and a
     * node there, looked up in the node directory; then runs {@code then} (may be null).
     */
    void wrongRegion(WsSession s, io.geows.WrongRegionException wrong, String ref, Runnable then) {
        node.counters.accessDenied.increment();
        Set<String> regions = wrong.regions();
        String what = wrong.room() != null ? "room '" + wrong.room() + "'" : "user '" + wrong.user() + "'";
        s.logOnce("wrong region:", what + " is pinned to " + regions);
        String message = what + " is kept in " + regions + " only (data residency); connect to a node there";
        directory().whenComplete((nodes, err) -> {
            String url = err == null ? urlIn(nodes, regions) : null;
            s.send(wrong.room() != null ? ServerFrames.wrongRegion("room", wrong.room(), regions, url, message, ref)
                    : ServerFrames.wrongRegion("user", wrong.user(), regions, url, message, ref));
            if (then != null) {
                then.run();
            }
        });
    }

    private record Directory(long readAt, CompletableFuture<List<NodeInfo>> nodes) {
    }

    private volatile Directory directory;

    private CompletableFuture<List<NodeInfo>> directory() {
        Directory d = directory;
        long now = System.nanoTime();
        if (d == null || now - d.readAt() > TimeUnit.SECONDS.toNanos(1) || d.nodes().isCompletedExceptionally()) {
            d = new Directory(now, node.broker.presence().nodes());
            directory = d;
        }
        return d.nodes();
    }

    /** A node of the first region (in the zone's order) that has one with a URL, the least loaded there. */
    private static String urlIn(List<NodeInfo> nodes, Set<String> regions) {
        for (String region : regions) {
            NodeInfo best = null;
            for (NodeInfo n : nodes) {
                if (region.equals(n.region()) && n.publicUrl() != null
                        && (best == null || n.connections() < best.connections())) {
                    best = n;
                }
            }
            if (best != null) {
                return best.publicUrl();
            }
        }
        return null;
    }

    static Throwable unwrap(Throwable err) {
        return err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    }
}
