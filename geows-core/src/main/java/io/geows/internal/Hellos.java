package io.geows.internal;

import io.geows.AuthenticationException;
import io.geows.Authenticator;
import io.geows.CloseCodes;
import io.geows.ErrorCode;
import io.geows.Identity;
import io.geows.RoomAuthorizer;
import io.geows.TokenExpiredException;
import io.geows.spi.Position;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's identity: the {@code hello} (authenticate, register, resume the rooms it names, answer
 * {@code welcome}), the token's expiry, and {@code refresh}.
 */
final class Hellos {
    private static final Logger log = LoggerFactory.getLogger(Hellos.class);

    /** How long before expiry the client is asked for a fresh token, at most: 60 s (or half the lifetime). */
    static final long REFRESH_AHEAD_MILLIS = 60_000;

    private final NodeContext node;
    private final Authenticator authenticator;
    private final Joins joins;
    private final PresenceKeeper presence;
    private final Replies replies;
    private final Connections connections;

    Hellos(NodeContext node, Authenticator authenticator, Joins joins, PresenceKeeper presence, Replies replies,
           Connections connections) {
        this.node = node;
        this.authenticator = authenticator;
        this.joins = joins;
        this.presence = presence;
        this.replies = replies;
        this.connections = connections;
    }

    /** A resumed room the authorizer refused. */
    private static final class Denied extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Denied(String room) {
            super("not allowed to join room '" + room + "'", null, false, false);
        }
    }

    /** A resumed room pinned to a zone this node is outside of. */
    private static final class ElsewhereOnly extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ElsewhereOnly() {
            super("served in another region", null, false, false);
        }
    }

    /**
     * Handles a {@code hello}. The returned future completes once the {@code welcome} was sent (the
     * caller then handles the frames that arrived meanwhile); it never completes when the hello was
     * refused.
     */
    CompletableFuture<Void> hello(WsSession s, ClientFrame.Hello h) {
        CompletableFuture<Void> welcomed = new CompletableFuture<>();
        if (h.protocol() != ClientFrameDecoder.PROTOCOL_VERSION) {
            replies.reject(s, ErrorCode.UNSUPPORTED_PROTOCOL, "protocol " + h.protocol() + " is not supported; this node speaks "
                    + ClientFrameDecoder.PROTOCOL_VERSION, h.id());
            s.close(CloseCodes.UNSUPPORTED_PROTOCOL, "unsupported protocol version");
            return welcomed;
        }
        if (h.resume().size() > node.limits.maxRoomsPerSession()) {
            replies.reject(s, ErrorCode.ROOM_LIMIT, "resume names " + h.resume().size() + " rooms; the limit is "
                    + node.limits.maxRoomsPerSession(), h.id());
            return welcomed;
        }
        Identity identity = authenticate(s, h.token(), h.id(), true);
        if (identity == null) {
            return welcomed;
        }
        if (!node.brokers.servesUser(identity.userId())) {
            // A user pinned to another zone: their presence and direct messages live there only.
            replies.wrongRegion(s, io.geows.WrongRegionException.forUser(identity.userId(),
                    node.brokers.rules().regionsOf(node.brokers.zoneOfUser(identity.userId())), node.region), h.id(),
                    () -> s.close(CloseCodes.GOING_AWAY, "served in another region"));
            return welcomed;
        }
        if (!s.beginHello(identity)) {
            replies.reject(s, ErrorCode.ALREADY_AUTHENTICATED, "hello was already accepted", h.id());
            return welcomed;
        }
        scheduleExpiry(s, identity);
        synchronized (s.membership) {
            if (s.isClosed()) {
                return welcomed;
            }
            node.registry.register(s);
            presence.userOnline(identity.userId());
        }
        connections.connected(s);

        Map<String, CompletableFuture<Joins.Outcome>> resumed = new LinkedHashMap<>();
        for (var e : h.resume().entrySet()) {
            String room = e.getKey();
            resumed.put(room, !replies.allowed(s, RoomAuthorizer.Action.JOIN, room)
                    ? CompletableFuture.failedFuture(new Denied(room))
                    : !node.brokers.serves(room) ? CompletableFuture.failedFuture(new ElsewhereOnly())
                    : joins.joinRoom(s, room, e.getValue()));
        }
        CompletableFuture.allOf(resumed.values().stream()
                        .map(f -> f.handle((o, err) -> null)).toArray(CompletableFuture[]::new))
                .whenComplete((ignored, err) -> {
                    if (welcome(s, h, identity, resumed)) {
                        welcomed.complete(null);
                    }
                });
        return welcomed;
    }

    private boolean welcome(WsSession s, ClientFrame.Hello h, Identity identity,
                            Map<String, CompletableFuture<Joins.Outcome>> resumed) {
        if (resumed.values().stream().anyMatch(f -> failure(f) instanceof Joins.Overloaded)) {
            // Resume all or nothing: the client keeps its positions and comes back later.
            s.send(ServerFrames.error(ErrorCode.OVERLOADED, "the node is overloaded: too many joins wait; "
                    + "connect again after a backoff", h.id()));
            s.close(CloseCodes.TRY_AGAIN_LATER, "overloaded");
            return false;
        }
        Map<String, Boolean> recovered = new LinkedHashMap<>();
        Map<String, Position> positions = new LinkedHashMap<>();
        List<Runnable> activations = new ArrayList<>();
        for (var e : resumed.entrySet()) {
            Throwable why = failure(e.getValue());
            if (why instanceof ElsewhereOnly) {
                replies.servedOrRedirected(s, e.getKey(), h.id()); // answers wrong_region
                continue;
            }
            if (why != null) {
                s.send(why instanceof Denied
                        ? ServerFrames.error(ErrorCode.FORBIDDEN, "not allowed to join room '" + e.getKey() + "'", h.id())
                        : ServerFrames.error(ErrorCode.UNAVAILABLE, "could not rejoin room '" + e.getKey()
                                + "': " + why.getMessage(), h.id()));
                continue;
            }
            Joins.Outcome o = e.getValue().join();
            recovered.put(e.getKey(), o.recovered());
            positions.put(e.getKey(), o.position());
            activations.add(() -> joins.activate(s, o, null));
        }
        s.send(ServerFrames.welcome(s.id(), identity.userId(), node.region, node.nodeId, recovered, positions,
                identity.expiresAt() == null ? 0 : identity.expiresAt().toEpochMilli(), h.id()));
        activations.forEach(Runnable::run);
        return true;
    }

    /** Why a completed future failed, or {@code null} when it succeeded. */
    private static Throwable failure(CompletableFuture<?> f) {
        return f.isCompletedExceptionally() ? Replies.unwrap(f.handle((x, t) -> t).join()) : null;
    }

    /**
     * Checks a token; on failure answers the session and returns {@code null}.
     *
     * @param closeOnFailure a hello closes the session on a bad token; a refresh keeps the current one
     */
    private Identity authenticate(WsSession s, String token, String ref, boolean closeOnFailure) {
        Identity identity;
        try {
            identity = authenticator.authenticate(token);
        } catch (TokenExpiredException e) {
            return refuse(s, ErrorCode.TOKEN_EXPIRED, e.getMessage(), ref, closeOnFailure);
        } catch (AuthenticationException e) {
            return refuse(s, ErrorCode.UNAUTHORIZED, e.getMessage(), ref, closeOnFailure);
        } catch (RuntimeException e) {
            log.error("authenticator failed for session {}", s.id(), e);
            return refuse(s, ErrorCode.UNAUTHORIZED, "authentication failed", ref, closeOnFailure);
        }
        if (expired(identity)) {
            return refuse(s, ErrorCode.TOKEN_EXPIRED, closeOnFailure ? "token has expired" : "the new token has expired too",
                    ref, closeOnFailure);
        }
        return identity;
    }

    private Identity refuse(WsSession s, ErrorCode code, String message, String ref, boolean close) {
        replies.reject(s, code, message, ref);
        if (close) {
            s.close(code == ErrorCode.TOKEN_EXPIRED ? CloseCodes.TOKEN_EXPIRED : CloseCodes.UNAUTHORIZED,
                    code == ErrorCode.TOKEN_EXPIRED ? "token expired" : "unauthorized");
        }
        return null;
    }

    private static boolean expired(Identity identity) {
        return identity.expiresAt() != null && !identity.expiresAt().isAfter(Instant.now());
    }

    /** Asks for a fresh token ahead of expiry and closes the session at expiry unless one came. */
    private void scheduleExpiry(WsSession s, Identity identity) {
        s.cancelExpiry();
        if (identity.expiresAt() == null) {
            return;
        }
        long expiresAt = identity.expiresAt().toEpochMilli();
        long left = Math.max(0, expiresAt - System.currentTimeMillis());
        long ask = left - Math.min(REFRESH_AHEAD_MILLIS, left / 2);
        ScheduledFuture<?> askFuture = node.scheduler.schedule(() -> {
            if (s.isOpen() && s.identity() == identity) {
                s.send(ServerFrames.refresh(expiresAt));
            }
        }, ask, TimeUnit.MILLISECONDS);
        ScheduledFuture<?> closeFuture = node.scheduler.schedule(() -> {
            if (s.isOpen() && s.identity() == identity) {
                node.counters.tokensExpired.increment();
                s.logOnce("closed:", "token expired without a refresh");
                s.send(ServerFrames.error(ErrorCode.TOKEN_EXPIRED, "token expired; connect again with a new one", null));
                s.close(CloseCodes.TOKEN_EXPIRED, "token expired");
            }
        }, left, TimeUnit.MILLISECONDS);
        s.expiryTimers(askFuture, closeFuture);
    }

    /** A {@code refresh}: a new token for the same user; a refused one leaves the current token in force. */
    void refresh(WsSession s, ClientFrame.Refresh r) {
        Identity fresh = authenticate(s, r.token(), r.id(), false);
        if (fresh == null) {
            return;
        }
        if (!fresh.userId().equals(s.user())) {
            replies.reject(s, ErrorCode.UNAUTHORIZED, "a refreshed token must be for the same user", r.id());
            s.close(CloseCodes.UNAUTHORIZED, "unauthorized");
            return;
        }
        s.replaceIdentity(fresh);
        scheduleExpiry(s, fresh);
        s.send(ServerFrames.refreshed(fresh.expiresAt() == null ? 0 : fresh.expiresAt().toEpochMilli(), r.id()));
    }
}
