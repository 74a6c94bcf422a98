package io.geows.internal;

import io.geows.BrokerUnavailableException;
import io.geows.ErrorCode;
import io.geows.RoomAuthorizer;
import java.util.Locale;
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

    static Throwable unwrap(Throwable err) {
        return err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    }
}
