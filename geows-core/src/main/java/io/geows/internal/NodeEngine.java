package io.geows.internal;

import io.geows.AuthenticationException;
import io.geows.Authenticator;
import io.geows.BrokerUnavailableException;
import io.geows.CloseCodes;
import io.geows.Envelope;
import io.geows.ErrorCode;
import io.geows.Identity;
import io.geows.NodeLimits;
import io.geows.NodeStats;
import io.geows.Topics;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerEvent;
import io.geows.spi.BrokerMessage;
import io.geows.spi.HistorySlice;
import io.geows.spi.NodeInfo;
import io.geows.spi.Position;
import io.geows.spi.PresenceMember;
import io.geows.spi.Route;
import io.geows.spi.RouteContext;
import io.geows.spi.Router;
import io.geows.spi.Session;
import io.geows.spi.SessionRegistry;
import io.geows.spi.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's machinery between the transport and the broker: sessions, rooms, routing, history
 * replay, presence. Never blocks a transport or broker thread: broker calls are asynchronous and
 * their continuations only queue frames.
 */
public final class NodeEngine {
    private static final Logger log = LoggerFactory.getLogger(NodeEngine.class);

    private final String region;
    private final String nodeId;
    private final String publicUrl;
    private final Topics topics;
    private final BrokerAdapter broker;
    private final SessionRegistry registry;
    private final Router router;
    private final Authenticator authenticator;
    private final io.geows.RoomAuthorizer authorizer;
    private final BrokerSeal seal;
    private final NodeLimits limits;
    private final Duration presenceTtl;
    private final ScheduledExecutorService scheduler;
    private final ClientFrameDecoder decoder;
    private final io.geows.NodeObserver observer;
    private final Counters counters = new Counters();
    private final AtomicLong sessionIds = new AtomicLong();

    private final Object roomsLock = new Object();
    private final Map<String, LocalRoom> rooms = new HashMap<>();

    private final PresenceKeeper presence;
    private final JoinGate joinGate;
    private volatile boolean overloadLogged;
    private int heartbeatsSincePrune;

    private final List<Subscription> fixedSubscriptions = new ArrayList<>();
    private volatile boolean draining;
    private volatile ScheduledFuture<?> heartbeats;
    private volatile boolean lostLogged;

    public NodeEngine(String region, String nodeId, String publicUrl, Topics topics, BrokerAdapter broker,
                      SessionRegistry registry, Router router, Authenticator authenticator,
                      io.geows.RoomAuthorizer authorizer, BrokerSeal seal, NodeLimits limits, io.geows.PresencePolicy presencePolicy,
                      Duration presenceTtl, ScheduledExecutorService scheduler, io.geows.NodeObserver observer) {
        this.region = region;
        this.nodeId = nodeId;
        this.publicUrl = publicUrl;
        this.topics = topics;
        this.broker = broker;
        this.registry = registry;
        this.router = router;
        this.authenticator = authenticator;
        this.authorizer = authorizer;
        this.seal = seal;
        this.limits = limits;
        this.presenceTtl = presenceTtl;
        this.scheduler = scheduler;
        this.observer = observer;
        this.decoder = new ClientFrameDecoder(limits.maxJsonDepth(), limits.maxStringLength());
        this.joinGate = new JoinGate(limits.maxJoinsInFlight(), limits.maxJoinsWaiting(), scheduler);
        this.presence = new PresenceKeeper(region, nodeId, topics, broker, seal, presencePolicy, scheduler,
                this::deliverPresenceLocally);
    }

    SessionRegistry registry() {
        return registry;
    }

    Counters counters() {
        return counters;
    }

    NodeLimits limits() {
        return limits;
    }

    // ---------------------------------------------------------------- lifecycle

    /** Subscribes the node's inbox and the broadcast topic, and starts heartbeating. */
    public CompletableFuture<Void> start() {
        broker.addListener(this::onBrokerEvent);
        CompletableFuture<Subscription> inbox = broker.subscribe(topics.node(nodeId), this::onInbox);
        CompletableFuture<Subscription> all = broker.subscribe(topics.all(), this::onBroadcast);
        long period = Math.max(50, presenceTtl.toMillis() / 3);
        heartbeats = scheduler.scheduleAtFixedRate(this::heartbeat, 0, period, TimeUnit.MILLISECONDS);
        return CompletableFuture.allOf(inbox, all).thenRun(() -> {
            synchronized (fixedSubscriptions) {
                fixedSubscriptions.add(inbox.join());
                fixedSubscriptions.add(all.join());
            }
        });
    }

    public boolean isReady() {
        return !draining && broker.isConnected();
    }

    /** Stops taking new work and tells every session where to go. */
    public void beginDrain(Duration lookupTimeout) {
        draining = true;
        stopHeartbeats(); // a draining node should not be offered to anyone as a place to go
        NodeInfo target = null;
        try {
            List<NodeInfo> nodes = broker.presence().nodes().get(lookupTimeout.toMillis(), TimeUnit.MILLISECONDS);
            target = pickOtherRegion(nodes);
        } catch (Exception e) {
            log.debug("node directory unavailable while draining; goaway names no region", e);
        }
        byte[] goaway = ServerFrames.goaway(target == null ? null : target.region(),
                target == null ? null : target.publicUrl(), "node " + nodeId + " is draining");
        for (Session s : registry.all()) {
            ((WsSession) s).send(goaway);
        }
    }

    private NodeInfo pickOtherRegion(List<NodeInfo> nodes) {
        NodeInfo best = null;
        for (NodeInfo n : nodes) {
            if (n.nodeId().equals(nodeId)) {
                continue;
            }
            // Prefer another region (this one may be going down as a whole), then one with a URL, then the least loaded.
            if (best == null || score(n) > score(best)
                    || (score(n) == score(best) && n.connections() < best.connections())) {
                best = n;
            }
        }
        return best;
    }

    private int score(NodeInfo n) {
        return (n.region().equals(region) ? 0 : 2) + (n.publicUrl() == null ? 0 : 1);
    }

    /** Leaves the node directory and closes the node's own subscriptions. */
    public void shutdown(Duration timeout) {
        stopHeartbeats();
        try {
            broker.presence().removeNode(nodeId).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.debug("could not remove node {} from presence; it expires after one TTL", nodeId, e);
        }
        synchronized (fixedSubscriptions) {
            fixedSubscriptions.forEach(Subscription::close);
            fixedSubscriptions.clear();
        }
        synchronized (roomsLock) {
            for (LocalRoom r : rooms.values()) {
                r.subscription.thenAccept(Subscription::close);
            }
            rooms.clear();
        }
    }

    public NodeStats stats() {
        return new NodeStats(registry.sessionCount(), registry.roomCount(), counters.framesIn.sum(),
                counters.framesOut.sum(), counters.badFrames.sum(), counters.publishRejected.sum(),
                counters.slowConsumers.sum(), counters.brokerDropped.sum(), counters.brokerReconnects.sum(),
                counters.recoveredResumes.sum(), counters.unrecoverableResumes.sum(), counters.brokerForged.sum(),
                counters.rateLimited.sum(), counters.connectionsRefused.sum(), counters.accessDenied.sum(),
                counters.tokensExpired.sum(), counters.limitDisconnects.sum(), counters.brokerReplayed.sum(),
                counters.resumesFromMemory.sum());
    }

    private void stopHeartbeats() {
        ScheduledFuture<?> h = heartbeats;
        if (h != null) {
            h.cancel(false);
        }
    }

    private void heartbeat() {
        if (!broker.isConnected() || draining) {
            return;
        }
        NodeInfo info = new NodeInfo(nodeId, region, publicUrl, registry.sessionCount(), System.currentTimeMillis());
        broker.presence().heartbeat(info, presenceTtl).exceptionally(e -> {
            log.debug("heartbeat of {} failed", nodeId, e);
            return null;
        });
        // Once per time-to-live (every third beat): room counts of nodes that died leave the sums.
        if (++heartbeatsSincePrune >= 3 && presence.counting()) {
            heartbeatsSincePrune = 0;
            broker.presence().nodes().thenAccept(presence::prune).exceptionally(e -> {
                log.debug("node list for presence counts failed on {}", nodeId, e);
                return null;
            });
        }
    }

    // ---------------------------------------------------------------- transport callbacks

    WsSession newSession(Connection conn) {
        return new WsSession(conn, nodeId + "-" + sessionIds.incrementAndGet(), limits.maxQueuedFrames(),
                limits.maxQueuedBytes(), counters, scheduler,
                limits.messagesPerSecond() == 0 ? null : new RateLimiter(limits.messagesPerSecond(), limits.messageBurst()));
    }

    void onOpen(WsSession s) {
        if (draining) {
            s.close(CloseCodes.GOING_AWAY, "node is draining");
            return;
        }
        scheduler.schedule(() -> {
            if (!s.helloSeen() && s.isOpen()) {
                s.logOnce("closed:", "no hello within " + limits.helloTimeout());
                s.close(CloseCodes.HELLO_TIMEOUT, "no hello within " + limits.helloTimeout().toMillis() + " ms");
            }
        }, limits.helloTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    void onBinary(WsSession s) {
        counters.badFrames.increment();
        s.logOnce("closed:", "binary frame");
        s.close(CloseCodes.UNSUPPORTED_DATA, "binary frames are not supported; send JSON text frames");
    }

    void onText(WsSession s, String text) {
        counters.framesIn.increment();
        switch (s.deferIfHelloPending(text)) {
            case QUEUED:
                return;
            case OVERFLOW:
                reject(s, ErrorCode.BAD_REQUEST, "too many frames before the welcome; wait for it", null);
                return;
            default:
                handle(s, text);
        }
    }

    private void handle(WsSession s, String text) {
        RateLimiter limiter = s.rateLimiter();
        if (limiter != null && s.helloSeen()) {
            RateLimiter.Verdict v = limiter.acquire(System.nanoTime());
            if (v != RateLimiter.Verdict.ALLOWED) {
                rateLimited(s, text, v);
                return;
            }
        }
        ClientFrame frame;
        try {
            frame = decoder.decode(text);
        } catch (FrameException e) {
            observe(() -> observer.frameReceived("invalid"));
            reject(s, e.code(), e.getMessage(), e.ref());
            return;
        }
        ClientFrame decoded = frame;
        observe(() -> observer.frameReceived(typeOf(decoded)));
        try {
            dispatch(s, frame);
        } catch (RuntimeException e) {
            log.error("session {}: unexpected failure handling {}", s.id(), frame.getClass().getSimpleName(), e);
            s.send(ServerFrames.error(ErrorCode.INTERNAL, "internal error", frame.id()));
        }
    }

    private void rateLimited(WsSession s, String text, RateLimiter.Verdict v) {
        counters.rateLimited.increment();
        if (v == RateLimiter.Verdict.CLOSE) {
            if (s.isOpen()) {
                s.logOnce("closed:", "kept sending over its rate limit of " + limits.messagesPerSecond() + " frames/s");
                s.send(ServerFrames.error(ErrorCode.RATE_LIMITED, "far over the rate limit of "
                        + limits.messagesPerSecond() + " frames/s; closing", null));
                s.close(CloseCodes.RATE_LIMITED, "rate limit");
            }
            return;
        }
        s.logOnce("rate limited:", "over " + limits.messagesPerSecond() + " frames/s");
        // The id lets the client resend exactly this frame; reading it costs a parse only when limited.
        s.send(ServerFrames.error(ErrorCode.RATE_LIMITED, "over the rate limit of " + limits.messagesPerSecond()
                + " frames/s; not processed, send it again later", decoder.peekId(text)));
    }

    private static String typeOf(ClientFrame f) {
        if (f instanceof ClientFrame.Hello) {
            return "hello";
        } else if (f instanceof ClientFrame.Join) {
            return "join";
        } else if (f instanceof ClientFrame.Leave) {
            return "leave";
        } else if (f instanceof ClientFrame.Publish) {
            return "publish";
        } else if (f instanceof ClientFrame.Direct) {
            return "direct";
        } else if (f instanceof ClientFrame.PresenceQuery) {
            return "presence";
        } else if (f instanceof ClientFrame.Refresh) {
            return "refresh";
        }
        return "ping";
    }

    /** Runs an observer call; an observer that throws is logged, never allowed to break delivery. */
    void observe(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn("node observer failed", e);
        }
    }

    void observeDelivery(String kind, Envelope e, int recipients) {
        observe(() -> observer.delivered(kind, e.region(), e.timestamp(), recipients));
    }

    private void dispatch(WsSession s, ClientFrame frame) {
        if (frame instanceof ClientFrame.Hello hello) {
            if (s.helloSeen()) {
                reject(s, ErrorCode.ALREADY_AUTHENTICATED, "hello was already accepted", hello.id());
            } else {
                hello(s, hello);
            }
            return;
        }
        if (!s.helloSeen()) {
            reject(s, ErrorCode.NOT_AUTHENTICATED, "send hello first", frame.id());
            return;
        }
        if (frame instanceof ClientFrame.Refresh r) {
            refresh(s, r);
        } else if (frame instanceof ClientFrame.Join j) {
            join(s, j);
        } else if (frame instanceof ClientFrame.Leave l) {
            leave(s, l);
        } else if (frame instanceof ClientFrame.Publish p) {
            publish(s, p);
        } else if (frame instanceof ClientFrame.Direct d) {
            direct(s, d);
        } else if (frame instanceof ClientFrame.PresenceQuery q) {
            presenceQuery(s, q);
        } else if (frame instanceof ClientFrame.Ping ping) {
            s.send(ServerFrames.pong(ping.id(), System.currentTimeMillis()));
        }
    }

    private void reject(WsSession s, ErrorCode code, String message, String ref) {
        counters.badFrames.increment();
        s.logOnce("rejected frame:", code.wireName() + " (" + message + ")");
        s.send(ServerFrames.error(code, message, ref));
    }

    void onClose(WsSession s) {
        s.cancelExpiry();
        synchronized (s.membership) {
            s.markClosed();
            String user = s.user();
            if (user == null || registry.byId(s.id()).isEmpty()) {
                return;
            }
            for (String room : registry.unregister(s)) {
                s.cursors.remove(room);
                releaseRoom(room);
                presence.leave(user, room);
            }
            s.cursors.clear();
            presence.userOffline(user);
        }
    }

    // ---------------------------------------------------------------- hello, join, leave

    private void hello(WsSession s, ClientFrame.Hello h) {
        if (h.protocol() != ClientFrameDecoder.PROTOCOL_VERSION) {
            reject(s, ErrorCode.UNSUPPORTED_PROTOCOL, "protocol " + h.protocol() + " is not supported; this node speaks "
                    + ClientFrameDecoder.PROTOCOL_VERSION, h.id());
            s.close(CloseCodes.UNSUPPORTED_PROTOCOL, "unsupported protocol version");
            return;
        }
        if (h.resume().size() > limits.maxRoomsPerSession()) {
            reject(s, ErrorCode.ROOM_LIMIT, "resume names " + h.resume().size() + " rooms; the limit is "
                    + limits.maxRoomsPerSession(), h.id());
            return;
        }
        Identity identity;
        try {
            identity = authenticator.authenticate(h.token());
        } catch (io.geows.TokenExpiredException e) {
            reject(s, ErrorCode.TOKEN_EXPIRED, e.getMessage(), h.id());
            s.close(CloseCodes.TOKEN_EXPIRED, "token expired");
            return;
        } catch (AuthenticationException e) {
            reject(s, ErrorCode.UNAUTHORIZED, e.getMessage(), h.id());
            s.close(CloseCodes.UNAUTHORIZED, "unauthorized");
            return;
        } catch (RuntimeException e) {
            log.error("authenticator failed for session {}", s.id(), e);
            reject(s, ErrorCode.UNAUTHORIZED, "authentication failed", h.id());
            s.close(CloseCodes.UNAUTHORIZED, "unauthorized");
            return;
        }
        if (expired(identity)) {
            reject(s, ErrorCode.TOKEN_EXPIRED, "token has expired", h.id());
            s.close(CloseCodes.TOKEN_EXPIRED, "token expired");
            return;
        }
        if (!s.beginHello(identity)) {
            reject(s, ErrorCode.ALREADY_AUTHENTICATED, "hello was already accepted", h.id());
            return;
        }
        scheduleExpiry(s, identity);
        synchronized (s.membership) {
            if (s.isClosed()) {
                return;
            }
            registry.register(s);
            presence.userOnline(identity.userId());
        }

        Map<String, CompletableFuture<JoinOutcome>> joins = new LinkedHashMap<>();
        for (var e : h.resume().entrySet()) {
            joins.put(e.getKey(), allowed(s, io.geows.RoomAuthorizer.Action.JOIN, e.getKey())
                    ? joinRoom(s, e.getKey(), e.getValue())
                    : CompletableFuture.failedFuture(new Denied(e.getKey())));
        }
        CompletableFuture.allOf(joins.values().stream()
                        .map(f -> f.handle((o, err) -> null)).toArray(CompletableFuture[]::new))
                .whenComplete((ignored, err) -> {
                    if (joins.values().stream().anyMatch(f -> f.isCompletedExceptionally()
                            && f.handle((x, t) -> unwrap(t) instanceof Overloaded).join())) {
                        // Resume all or nothing: the client keeps its positions and comes back later.
                        s.send(ServerFrames.error(ErrorCode.OVERLOADED, "the node is overloaded: too many joins wait; "
                                + "connect again after a backoff", h.id()));
                        s.close(CloseCodes.TRY_AGAIN_LATER, "overloaded");
                        return;
                    }
                    Map<String, Boolean> recovered = new LinkedHashMap<>();
                    Map<String, Position> positions = new LinkedHashMap<>();
                    List<Runnable> activations = new ArrayList<>();
                    for (var e : joins.entrySet()) {
                        // getNow throws for a failed join: ask first
                        JoinOutcome o = e.getValue().isCompletedExceptionally() ? null : e.getValue().getNow(null);
                        if (o == null) {
                            Throwable why = e.getValue().handle((x, t) -> t).join();
                            if (why instanceof CompletionException && why.getCause() != null) {
                                why = why.getCause();
                            }
                            s.send(why instanceof Denied
                                    ? ServerFrames.error(ErrorCode.FORBIDDEN, "not allowed to join room '" + e.getKey() + "'", h.id())
                                    : ServerFrames.error(ErrorCode.UNAVAILABLE, "could not rejoin room '" + e.getKey()
                                            + "': " + failure(e.getValue()), h.id()));
                            continue;
                        }
                        recovered.put(e.getKey(), o.recovered());
                        positions.put(e.getKey(), o.position());
                        activations.add(() -> activate(s, o, null));
                    }
                    s.send(ServerFrames.welcome(s.id(), identity.userId(), region, nodeId, recovered, positions,
                            identity.expiresAt() == null ? 0 : identity.expiresAt().toEpochMilli(), h.id()));
                    activations.forEach(Runnable::run);
                    for (List<String> early = s.takeEarlyOrBecomeReady(); !early.isEmpty();
                         early = s.takeEarlyOrBecomeReady()) {
                        early.forEach(text -> handle(s, text));
                    }
                });
    }

    // ---------------------------------------------------------------- token expiry and refresh

    /** How long before expiry the client is asked for a fresh token, at most: 60 s (or half the lifetime). */
    static final long REFRESH_AHEAD_MILLIS = 60_000;

    private static boolean expired(Identity identity) {
        return identity.expiresAt() != null && !identity.expiresAt().isAfter(java.time.Instant.now());
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
        ScheduledFuture<?> askFuture = scheduler.schedule(() -> {
            if (s.isOpen() && s.identity() == identity) {
                s.send(ServerFrames.refresh(expiresAt));
            }
        }, ask, TimeUnit.MILLISECONDS);
        ScheduledFuture<?> closeFuture = scheduler.schedule(() -> {
            if (s.isOpen() && s.identity() == identity) {
                counters.tokensExpired.increment();
                s.logOnce("closed:", "token expired without a refresh");
                s.send(ServerFrames.error(ErrorCode.TOKEN_EXPIRED, "token expired; connect again with a new one", null));
                s.close(CloseCodes.TOKEN_EXPIRED, "token expired");
            }
        }, left, TimeUnit.MILLISECONDS);
        s.expiryTimers(askFuture, closeFuture);
    }

    private void refresh(WsSession s, ClientFrame.Refresh r) {
        Identity fresh;
        try {
            fresh = authenticator.authenticate(r.token());
        } catch (io.geows.TokenExpiredException e) {
            reject(s, ErrorCode.TOKEN_EXPIRED, e.getMessage(), r.id()); // the current token still holds until it expires
            return;
        } catch (AuthenticationException e) {
            reject(s, ErrorCode.UNAUTHORIZED, e.getMessage(), r.id()); // the current token still holds until it expires
            return;
        } catch (RuntimeException e) {
            log.error("authenticator failed for session {} on refresh", s.id(), e);
            reject(s, ErrorCode.UNAUTHORIZED, "authentication failed", r.id());
            return;
        }
        if (!fresh.userId().equals(s.user())) {
            reject(s, ErrorCode.UNAUTHORIZED, "a refreshed token must be for the same user", r.id());
            s.close(CloseCodes.UNAUTHORIZED, "unauthorized");
            return;
        }
        if (expired(fresh)) {
            reject(s, ErrorCode.TOKEN_EXPIRED, "the new token has expired too", r.id());
            return;
        }
        s.replaceIdentity(fresh);
        scheduleExpiry(s, fresh);
        s.send(ServerFrames.refreshed(fresh.expiresAt() == null ? 0 : fresh.expiresAt().toEpochMilli(), r.id()));
    }

    private static String failure(CompletableFuture<?> f) {
        try {
            f.join();
            return "unknown";
        } catch (CompletionException e) {
            return e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
        }
    }

    /** A join the gate refused: too many wait. */
    private static final class Overloaded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Overloaded() {
            super("the node is overloaded: too many joins wait; try again later", null, false, false);
        }
    }

    /** Joins admitted together that took the session over its room limit. */
    private static final class RoomLimit extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RoomLimit() {
            super("room limit", null, false, false);
        }
    }

    private static Throwable unwrap(Throwable err) {
        return err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    }

    /** A resumed room the authorizer refused. */
    private static final class Denied extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Denied(String room) {
            super("not allowed to join room '" + room + "'", null, false, false);
        }
    }

    /** Whether the session may do this; counts a refusal. An authorizer that throws refuses. */
    private boolean allowed(WsSession s, io.geows.RoomAuthorizer.Action action, String room) {
        boolean ok;
        try {
            ok = authorizer.allows(s.identity(), action, room);
        } catch (RuntimeException e) {
            log.error("room authorizer failed for session {} ({} {}); refusing", s.id(), action, room, e);
            ok = false;
        }
        if (!ok) {
            counters.accessDenied.increment();
            s.logOnce("access denied:", action.name().toLowerCase(java.util.Locale.ROOT) + " room '" + room + "'");
        }
        return ok;
    }

    private void deny(WsSession s, io.geows.RoomAuthorizer.Action action, String room, String ref) {
        s.send(ServerFrames.error(ErrorCode.FORBIDDEN, "not allowed to "
                + action.name().toLowerCase(java.util.Locale.ROOT) + " in room '" + room + "'", ref));
    }

    private void join(WsSession s, ClientFrame.Join j) {
        if (!allowed(s, io.geows.RoomAuthorizer.Action.JOIN, j.room())) {
            deny(s, io.geows.RoomAuthorizer.Action.JOIN, j.room(), j.id());
            return;
        }
        if (s.cursors.containsKey(j.room())) {
            // Already a member: answer with the current position, replay nothing (idempotent join).
            broker.history().position(j.room()).whenComplete((p, err) -> {
                if (err != null) {
                    unavailable(s, j.id(), err);
                } else {
                    s.send(ServerFrames.joined(j.room(), p, null, j.id()));
                }
            });
            return;
        }
        if (s.cursors.size() >= limits.maxRoomsPerSession()) {
            reject(s, ErrorCode.ROOM_LIMIT, "a session may join at most " + limits.maxRoomsPerSession() + " rooms", j.id());
            return;
        }
        joinRoom(s, j.room(), j.since()).whenComplete((o, err) -> {
            if (err != null && unwrap(err) instanceof Overloaded o2) {
                s.send(ServerFrames.error(ErrorCode.OVERLOADED, o2.getMessage(), j.id()));
            } else if (err != null && unwrap(err) instanceof RoomLimit) {
                reject(s, ErrorCode.ROOM_LIMIT, "a session may join at most " + limits.maxRoomsPerSession() + " rooms", j.id());
            } else if (err != null) {
                unavailable(s, j.id(), err);
            } else if (o.since() == null) {
                activate(s, o, start -> ServerFrames.joined(j.room(), new Position(start, o.position().epoch()), null, j.id()));
            } else {
                activate(s, o, start -> ServerFrames.joined(j.room(), o.position(), o.recovered(), j.id()));
            }
        });
    }

    /**
     * The result of joining one room: where it stands and what to replay ({@code read}: the replay
     * came from a history read).
     */
    private record JoinOutcome(String room, RoomCursor cursor, Position since, Position position, boolean recovered,
                               long startOffset, List<RoomCursor.Pending> replay, boolean read) {
    }

    /**
     * Makes the session a member (live messages start queueing behind the replay at once), subscribes
     * the room if it is new here, then reads the position or the history to replay.
     */
    /** Joins now, or when the join gate admits it; fails with {@link Overloaded} when too many wait. */
    private CompletableFuture<JoinOutcome> joinRoom(WsSession s, String room, Position since) {
        CompletableFuture<JoinOutcome> admitted = joinGate.submit(() -> joinRoomNow(s, room, since));
        if (admitted != null) {
            return admitted;
        }
        counters.joinsRefused.increment();
        if (!overloadLogged) {
            overloadLogged = true;
            log.warn("node {} refused joins: more than {} waiting (NodeLimits.maxJoinsWaiting); clients are told to try "
                    + "again later (logged once)", nodeId, limits.maxJoinsWaiting());
        }
        return CompletableFuture.failedFuture(new Overloaded());
    }

    private CompletableFuture<JoinOutcome> joinRoomNow(WsSession s, String room, Position since) {
        RoomCursor cursor = new RoomCursor();
        LocalRoom local;
        synchronized (s.membership) {
            if (s.isClosed()) {
                return CompletableFuture.failedFuture(new IllegalStateException("session closed"));
            }
            if (s.cursors.putIfAbsent(room, cursor) != null) {
                return broker.history().position(room)
                        .thenApply(p -> new JoinOutcome(room, null, since, p, true, p.offset(), List.of(), false));
            }
            if (s.cursors.size() > limits.maxRoomsPerSession()) {
                s.cursors.remove(room, cursor); // joins that waited for the gate together went over the limit
                return CompletableFuture.failedFuture(new RoomLimit());
            }
            registry.join(s, room);
            local = acquireRoom(room);
            presence.join(s.user(), room);
        }
        CompletableFuture<JoinOutcome> outcome = fromMemory(local, room, cursor, since);
        if (outcome == null) {
            // The subscription must be live before history is read: whatever is appended after the read
            // then arrives live (and waits in the cursor), so nothing falls between the two.
            outcome = local.subscription.thenCompose(sub -> since == null
                    ? broker.history().position(room)
                            .thenApply(p -> new JoinOutcome(room, cursor, null, p, true, p.offset(), List.of(), false))
                    : replay(room, cursor, since));
        }
        return outcome.whenComplete((o, err) -> {
            if (err != null) {
                synchronized (s.membership) {
                    if (s.cursors.remove(room, cursor)) {
                        registry.leave(s, room);
                        releaseRoom(room);
                        presence.leave(s.user(), room);
                    }
                }
            } else {
                // Only what the broker said seeds the node's position: never a client's claim.
                local.seed(o.position().offset(), o.position().epoch());
                if (o.read() && o.recovered()) {
                    local.remember(o.since().offset(), o.position(), o.replay());
                }
            }
        });
    }

    /**
     * A join answered without the broker, when the room is live here: a fresh join starts at the last
     * message delivered here, a resume replays what the room keeps in memory. {@code null} when the
     * broker must be asked. The session is a member already, so nothing delivered after this is missed.
     */
    private CompletableFuture<JoinOutcome> fromMemory(LocalRoom local, String room, RoomCursor cursor, Position since) {
        CompletableFuture<Subscription> sub = local.subscription;
        if (!sub.isDone() || sub.isCompletedExceptionally() || !broker.isConnected()) {
            return null; // (in an outage the broker's answer, or its failure, is what the client gets)
        }
        if (since == null) {
            Position p = local.livePosition();
            return p == null ? null
                    : CompletableFuture.completedFuture(new JoinOutcome(room, cursor, null, p, true, p.offset(), List.of(), false));
        }
        LocalRoom.Replay r = local.replayFromMemory(since);
        if (r == null) {
            return null;
        }
        counters.recoveredResumes.increment();
        counters.resumesFromMemory.increment();
        return CompletableFuture.completedFuture(
                new JoinOutcome(room, cursor, since, r.position(), true, since.offset(), r.frames(), false));
    }

    private CompletableFuture<JoinOutcome> replay(String room, RoomCursor cursor, Position since) {
        int max = limits.maxReplay();
        return broker.history().readAfter(room, since.offset(), max).thenCompose(slice -> {
            historyRejected(slice, room);
            if (slice.epoch().equals(since.epoch()) && since.offset() <= slice.top()) {
                return CompletableFuture.completedFuture(
                        outcome(room, cursor, since, slice, since.offset(), slice.complete()));
            }
            // History was lost since the client's position (or the position was never handed out in this
            // epoch): offer what the current epoch holds, flagged as a gap.
            return broker.history().readAfter(room, 0, max).thenApply(all -> {
                historyRejected(all, room);
                return outcome(room, cursor, since, all, 0, false);
            });
        });
    }

    private JoinOutcome outcome(String room, RoomCursor cursor, Position since, HistorySlice slice, long start,
                                boolean complete) {
        List<BrokerMessage> msgs = slice.messages();
        long last = msgs.isEmpty() ? 0 : msgs.get(msgs.size() - 1).offset();
        boolean truncated = msgs.size() >= limits.maxReplay() && last < slice.top();
        boolean recovered = complete && !truncated;
        (recovered ? counters.recoveredResumes : counters.unrecoverableResumes).increment();
        return new JoinOutcome(room, cursor, since, new Position(Math.max(last, slice.top()), slice.epoch()), recovered,
                start, frames(room, msgs), true);
    }

    /** History's messages as the frames to replay, each message once (a copy at another offset is dropped). */
    private List<RoomCursor.Pending> frames(String room, List<BrokerMessage> messages) {
        List<RoomCursor.Pending> replay = new ArrayList<>(messages.size());
        Map<String, Long> replayed = new HashMap<>();
        for (BrokerMessage m : messages) {
            Envelope e = decodeRoomMessage(m, room);
            Long first = e == null ? null : replayed.putIfAbsent(messageKey(e), m.offset());
            if (first != null) {
                dropReplayed(m, "history holds the message of offset " + first + " again at offset " + m.offset());
            } else if (e != null) {
                replay.add(new RoomCursor.Pending(m.offset(), m.epoch(), ServerFrames.message(e, m.offset(), m.epoch())));
            }
        }
        return replay;
    }

    private void activate(WsSession s, JoinOutcome o, java.util.function.LongFunction<byte[]> joinedFrame) {
        RoomCursor cursor = o.cursor();
        if (cursor == null) {
            return;
        }
        List<RoomCursor.Pending> replay = o.replay();
        // Under the membership lock, so a leave cannot slip between the check and the frames:
        // nothing of this join may reach the client after its 'left'.
        synchronized (s.membership) {
            if (s.cursors.get(o.room()) != cursor) {
                return; // left (and maybe joined again) or closed meanwhile: this result is stale
            }
            cursor.activate(s, o.startOffset(), o.position().epoch(), o.since() == null, joinedFrame, replay);
        }
    }

    private void leave(WsSession s, ClientFrame.Leave l) {
        synchronized (s.membership) {
            if (s.cursors.remove(l.room()) == null) {
                reject(s, ErrorCode.NOT_MEMBER, "not a member of room '" + l.room() + "'", l.id());
                return;
            }
            registry.leave(s, l.room());
            releaseRoom(l.room());
            presence.leave(s.user(), l.room());
            s.send(ServerFrames.left(l.room(), l.id()));
        }
    }

    private LocalRoom acquireRoom(String room) {
        synchronized (roomsLock) {
            LocalRoom r = rooms.get(room);
            if (r == null) {
                LocalRoom created = new LocalRoom(room, topics.room(room), System.currentTimeMillis(),
                        limits.recentMessagesPerRoom(), limits.recentBytesPerRoom());
                created.subscription = broker.subscribe(created.topic, m -> onRoomMessage(created, m));
                rooms.put(room, created);
                r = created;
            }
            r.refs++;
            return r;
        }
    }

    private void releaseRoom(String room) {
        synchronized (roomsLock) {
            LocalRoom r = rooms.get(room);
            if (r != null && --r.refs == 0) {
                rooms.remove(room);
                // The last local member left: drop the interest, so the broker stops sending it here.
                r.subscription.whenComplete((sub, err) -> {
                    if (sub != null) {
                        sub.close();
                    }
                });
            }
        }
    }

    // ---------------------------------------------------------------- publish, direct, presence

    private void publish(WsSession s, ClientFrame.Publish p) {
        if (!s.cursors.containsKey(p.room())) {
            reject(s, ErrorCode.NOT_MEMBER, "join room '" + p.room() + "' before publishing to it", p.id());
            return;
        }
        if (!allowed(s, io.geows.RoomAuthorizer.Action.PUBLISH, p.room())) {
            deny(s, io.geows.RoomAuthorizer.Action.PUBLISH, p.room(), p.id());
            return;
        }
        Envelope e = new Envelope(Envelope.Kind.ROOM, p.id(), p.room(), null, s.user(), region, nodeId,
                System.currentTimeMillis(), p.data());
        Route route = router.route(e, new RouteContext(topics, nodeId, region, List.of()));
        if (route.isRejected() || route.topics().isEmpty()) {
            reject(s, ErrorCode.FORBIDDEN, route.isRejected() ? route.rejection() : "no route", p.id());
            return;
        }
        if (!broker.isConnected()) {
            counters.publishRejected.increment();
            s.send(ServerFrames.error(ErrorCode.UNAVAILABLE, "broker unavailable; message not accepted, send it again later",
                    p.id()));
            return;
        }
        byte[] payload = seal.seal(BrokerCodec.encode(e));
        // The key is per sender: a client cannot suppress someone else's message by reusing its id.
        String key = messageKey(e);
        broker.history().append(p.room(), key, route.topics().get(0), payload).whenComplete((a, err) -> {
            if (err != null) {
                counters.publishRejected.increment();
                unavailable(s, p.id(), err);
                return;
            }
            if (a.rejected() > 0) {
                historyRejected(new HistorySlice(a.epoch(), a.offset(), List.of(), true, a.rejected()), p.room());
            }
            s.send(ServerFrames.publishAck(p.id(), p.room(), a.offset(), a.epoch(), a.duplicate()));
            if (!a.duplicate()) {
                for (String extra : route.topics().subList(1, route.topics().size())) {
                    broker.publish(extra, payload);
                }
            }
        });
    }

    private void direct(WsSession s, ClientFrame.Direct d) {
        Envelope e = new Envelope(Envelope.Kind.DIRECT, d.id(), null, d.to(), s.user(), region, nodeId,
                System.currentTimeMillis(), d.data());
        broker.presence().locate(d.to()).whenComplete((where, err) -> {
            if (err != null) {
                // Without the directory we can still reach the user's sessions on this node.
                int local = deliverDirectLocally(e);
                if (local > 0) {
                    s.send(ServerFrames.directAck(d.id(), 1));
                } else {
                    unavailable(s, d.id(), err);
                }
                return;
            }
            Route route = router.route(e, new RouteContext(topics, nodeId, region, where));
            if (route.isRejected()) {
                reject(s, ErrorCode.FORBIDDEN, route.rejection(), d.id());
                return;
            }
            int nodes = deliverDirectLocally(e) > 0 ? 1 : 0;
            if (route.topics().isEmpty()) {
                if (nodes == 0) {
                    s.send(ServerFrames.error(ErrorCode.USER_OFFLINE, "user '" + d.to() + "' is not connected", d.id()));
                } else {
                    s.send(ServerFrames.directAck(d.id(), nodes));
                }
                return;
            }
            byte[] payload = seal.seal(BrokerCodec.encode(e));
            CompletableFuture<?>[] sends = route.topics().stream()
                    .map(t -> broker.publish(t, payload)).toArray(CompletableFuture[]::new);
            int delivered = nodes + sends.length;
            CompletableFuture.allOf(sends).whenComplete((x, perr) -> {
                if (perr != null && nodes == 0) {
                    unavailable(s, d.id(), perr);
                } else {
                    s.send(ServerFrames.directAck(d.id(), delivered));
                }
            });
        });
    }

    private int deliverDirectLocally(Envelope e) {
        var sessions = registry.byUser(e.to());
        if (sessions.isEmpty()) {
            return 0;
        }
        byte[] frame = ServerFrames.direct(e);
        int n = 0;
        for (Session target : sessions) {
            if (((WsSession) target).send(frame)) {
                n++;
            }
        }
        observeDelivery("direct", e, n);
        return n;
    }

    private void presenceQuery(WsSession s, ClientFrame.PresenceQuery q) {
        if (!s.cursors.containsKey(q.room())) {
            reject(s, ErrorCode.NOT_MEMBER, "join room '" + q.room() + "' to see who is in it", q.id());
            return;
        }
        if (!allowed(s, io.geows.RoomAuthorizer.Action.PRESENCE, q.room())) {
            deny(s, io.geows.RoomAuthorizer.Action.PRESENCE, q.room(), q.id());
            return;
        }
        broker.presence().members(q.room()).whenComplete((members, err) -> {
            if (err != null) {
                unavailable(s, q.id(), err);
            } else {
                s.send(ServerFrames.presenceSnapshot(q.room(), members, q.id()));
            }
        });
    }

    /** Broadcasts a server-side message to every session on every node. */
    public CompletableFuture<Void> broadcast(String jsonData) {
        Envelope e = new Envelope(Envelope.Kind.BROADCAST, UUID.randomUUID().toString(), null, null, null, region,
                nodeId, System.currentTimeMillis(), jsonData);
        deliverBroadcastLocally(e);
        return broker.publish(topics.all(), seal.seal(BrokerCodec.encode(e)));
    }

    private void deliverBroadcastLocally(Envelope e) {
        byte[] frame = ServerFrames.broadcast(e);
        int n = 0;
        for (Session s : registry.all()) {
            if (((WsSession) s).send(frame)) {
                n++;
            }
        }
        observeDelivery("broadcast", e, n);
    }

    private void unavailable(WsSession s, String ref, Throwable err) {
        if (s.isClosed()) {
            return; // nobody to tell
        }
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause instanceof BrokerUnavailableException) {
            s.send(ServerFrames.error(ErrorCode.UNAVAILABLE,
                    "broker unavailable; not done, try again later", ref));
        } else {
            log.error("session {}: broker operation failed", s.id(), cause);
            s.send(ServerFrames.error(ErrorCode.INTERNAL, "internal error", ref));
        }
    }

    // ---------------------------------------------------------------- presence bookkeeping

    private void deliverPresenceLocally(String room, byte[] frame) {
        for (Session s : registry.members(room)) {
            WsSession ws = (WsSession) s;
            RoomCursor c = ws.cursors.get(room);
            if (c != null && !c.isJoining()) {
                ws.send(frame);
            }
        }
    }

    // ---------------------------------------------------------------- broker side

    private void onBrokerEvent(BrokerEvent event) {
        List<LocalRoom> current;
        synchronized (roomsLock) {
            current = new ArrayList<>(rooms.values());
        }
        if (event == BrokerEvent.LOST) {
            if (!lostLogged) {
                lostLogged = true;
                log.warn("node {} lost its broker ({}); publishes are refused until it is back", nodeId, broker.name());
            }
            // From now on live messages wait: whatever arrives before the history read must not
            // overtake what history still owes us.
            current.forEach(LocalRoom::beginRecovery);
            return;
        }
        lostLogged = false;
        counters.brokerReconnects.increment();
        log.info("node {}: broker {} restored; recovering {} room(s) from history", nodeId, broker.name(), current.size());
        for (LocalRoom r : current) {
            recoverRoom(r, r.beginRecovery());
        }
        presence.reassert(this::heartbeat);
    }

    /** Confirms a room's live messages against history (see {@link LocalRoom}): the same read as a recovery. */
    void confirmRoom(LocalRoom r, long gen) {
        recoverRoom(r, gen);
    }

    private record Read(long after, HistorySlice slice) {
    }

    private void recoverRoom(LocalRoom r, long gen) {
        recoverRoom(r, gen, 0);
    }

    private void recoverRoom(LocalRoom r, long gen, int failures) {
        long after = r.readIssued(gen);
        if (after < 0) {
            return; // a newer recovery took over, or there is nothing to read
        }
        String knownEpoch = r.epoch();
        broker.history().readAfter(r.room, after, LocalRoom.PAGE).thenCompose(slice ->
                knownEpoch == null || slice.epoch().equals(knownEpoch)
                        ? CompletableFuture.completedFuture(new Read(after, slice))
                        : broker.history().readAfter(r.room, 0, LocalRoom.PAGE).thenApply(all -> new Read(0, all))
        ).whenComplete((read, err) -> {
            if (err != null) {
                // Live messages keep waiting: delivering them now would skip what history still owes us.
                if (broker.isConnected() && isLocal(r)) {
                    long delay = Math.min(5_000, 250L << Math.min(failures, 5));
                    log.info("node {}: reading history of room '{}' failed ({}); retrying in {} ms", nodeId, r.room,
                            err.toString(), delay);
                    scheduler.schedule(() -> recoverRoom(r, gen, failures + 1), delay, TimeUnit.MILLISECONDS);
                } // else: the next RESTORED starts over, or the room is gone from this node
            } else {
                if (!read.slice().complete()) {
                    log.warn("node {}: history of room '{}' no longer holds everything after offset {}; "
                            + "members here miss some messages", nodeId, r.room, read.after());
                }
                r.endRecovery(gen, read.after(), read.slice(), this);
            }
        });
    }

    /** Whether the room still has members here (a room that was left stops recovering). */
    private boolean isLocal(LocalRoom r) {
        synchronized (roomsLock) {
            return rooms.get(r.room) == r;
        }
    }

    private void onRoomMessage(LocalRoom room, BrokerMessage m) {
        BrokerCodec.Decoded d;
        if (!m.hasOffset()) {
            // Presence events travel on the room topic without history.
            try {
                d = decode(m.payload());
            } catch (BrokerSeal.Forged e) {
                dropForged(m, e.getMessage());
                return;
            } catch (IllegalArgumentException e) {
                dropBrokerMessage(m, e.getMessage());
                return;
            }
            if (d instanceof BrokerCodec.PresenceEvent p && p.room().equals(room.room)) {
                presence.onRemote(p);
            } else if (d instanceof BrokerCodec.PresenceDiff diff && diff.room().equals(room.room)) {
                presence.onRemote(diff);
            } else {
                dropBrokerMessage(m, "unexpected message without offset on a room topic");
            }
            return;
        }
        room.deliver(m, this);
    }

    /**
     * The key a room message is appended to history under: per sender, so a client cannot suppress
     * someone else's message by reusing its id.
     */
    static String messageKey(Envelope e) {
        return e.from() + "\n" + e.id();
    }

    /**
     * Decodes a room message; null (dropped and counted) when malformed, forged, for another room,
     * or read from history under a key that is not its own (a signed message appended again).
     */
    Envelope decodeRoomMessage(BrokerMessage m, String room) {
        try {
            if (decode(m.payload()) instanceof BrokerCodec.Message msg
                    && msg.envelope().kind() == Envelope.Kind.ROOM) {
                if (!msg.envelope().room().equals(room)) {
                    dropBrokerMessage(m, "message for room '" + msg.envelope().room() + "' on the topic of room '" + room + "'");
                    return null;
                }
                if (m.key() != null && !m.key().equals(messageKey(msg.envelope()))) {
                    dropReplayed(m, "history entry at offset " + m.offset() + " was appended under another message's key");
                    return null;
                }
                return msg.envelope();
            }
            dropBrokerMessage(m, "not a room message");
        } catch (BrokerSeal.Forged e) {
            dropForged(m, e.getMessage());
        } catch (IllegalArgumentException e) {
            dropBrokerMessage(m, e.getMessage());
        }
        return null;
    }

    private void onInbox(BrokerMessage m) {
        try {
            if (decode(m.payload()) instanceof BrokerCodec.Message msg
                    && msg.envelope().kind() == Envelope.Kind.DIRECT) {
                deliverDirectLocally(msg.envelope());
                return;
            }
            dropBrokerMessage(m, "not a direct message");
        } catch (BrokerSeal.Forged e) {
            dropForged(m, e.getMessage());
        } catch (IllegalArgumentException e) {
            dropBrokerMessage(m, e.getMessage());
        }
    }

    private void onBroadcast(BrokerMessage m) {
        try {
            if (decode(m.payload()) instanceof BrokerCodec.Message msg
                    && msg.envelope().kind() == Envelope.Kind.BROADCAST) {
                if (!msg.envelope().node().equals(nodeId)) { // delivered locally when sent
                    deliverBroadcastLocally(msg.envelope());
                }
                return;
            }
            dropBrokerMessage(m, "not a broadcast");
        } catch (BrokerSeal.Forged e) {
            dropForged(m, e.getMessage());
        } catch (IllegalArgumentException e) {
            dropBrokerMessage(m, e.getMessage());
        }
    }

    /**
     * Checks the signature and decodes. With inter-region keys the payload comes from a node, so the
     * fast path passes {@code data} through verbatim; without keys it is parsed and written again.
     */
    private BrokerCodec.Decoded decode(byte[] payload) throws BrokerSeal.Forged {
        byte[] body = seal.open(payload);
        return seal.enabled() ? BrokerCodec.decodeTrusted(body) : BrokerCodec.decode(body);
    }

    /** A message that failed the inter-region signature check: dropped, counted, logged once. */
    void dropForged(BrokerMessage m, String why) {
        counters.brokerForged.increment();
        if (counters.brokerForged.sum() <= 1) {
            log.warn("node {} dropped a broker message on {} that is not signed with an inter-region key: {} "
                    + "(someone without the key publishes on the broker, or a node has other keys; further drops at debug)",
                    nodeId, m.topic(), why);
        } else {
            log.debug("node {} dropped a forged broker message on {}: {}", nodeId, m.topic(), why);
        }
    }

    /**
     * A correctly signed room message at a position history does not confirm (sent again under
     * another offset, or appended again under another key): dropped, counted, logged once.
     */
    void dropReplayed(BrokerMessage m, String why) {
        counters.brokerReplayed.increment();
        if (counters.brokerReplayed.sum() <= 1) {
            log.warn("node {} dropped a signed broker message on {} that history does not confirm: {} (someone who "
                    + "can write to the broker replays captured messages; further drops at debug)", nodeId, m.topic(), why);
        } else {
            log.debug("node {} dropped a replayed broker message on {}: {}", nodeId, m.topic(), why);
        }
    }

    /** Counts the history entries an adapter refused as written by someone else. */
    void historyRejected(HistorySlice slice, String room) {
        if (slice.rejected() == 0) {
            return;
        }
        counters.brokerForged.add(slice.rejected());
        if (counters.brokerForged.sum() <= slice.rejected()) {
            log.warn("node {} skipped {} entries in the history of room '{}' that no node wrote (someone else writes "
                    + "to the broker's history; further ones at debug)", nodeId, slice.rejected(), room);
        } else {
            log.debug("node {} skipped {} foreign history entries of room '{}'", nodeId, slice.rejected(), room);
        }
    }

    void dropBrokerMessage(BrokerMessage m, String why) {
        counters.brokerDropped.increment();
        if (counters.brokerDropped.sum() <= 1) {
            log.warn("node {} dropped a malformed message on {}: {} (further drops are logged at debug)", nodeId,
                    m.topic(), why);
        } else {
            log.debug("node {} dropped a malformed message on {}: {}", nodeId, m.topic(), why);
        }
    }
}
