package io.geows.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.client.internal.DaemonThreads;
import io.geows.client.internal.SerialExecutor;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's state machine. Every piece of state is confined to one event-loop thread: WebSocket
 * callbacks, timers and API calls all become tasks on it, so nothing here needs a lock. Callbacks
 * to the application (and future completions) go to a {@link SerialExecutor}, never run on the loop.
 *
 * <p>The connection part lives here: connect, attempts, hello/welcome, loss, goaway, heartbeats,
 * close. Rooms and requests are in {@link Session}.
 */
final class ClientEngine {
    private static final Logger log = LoggerFactory.getLogger(ClientEngine.class);
    /** How often heartbeats and deadlines are checked (at most). */
    private static final Duration TICK = Duration.ofMillis(250);

    final ClientOptions options;
    final String clientId;
    private final ScheduledThreadPoolExecutor loop;
    private final ExecutorService ownCallbackThread;
    final SerialExecutor callbacks;
    private final RegionPool pool;
    final Session session;
    private final CompletableFuture<Void> connected = new CompletableFuture<>();

    private volatile ConnectionState state;
    private volatile String regionName;
    private volatile String user;

    // ---- loop-confined
    private boolean connectCalled;
    private boolean everConnected;
    private boolean closed;
    private final Map<String, Region> known = new LinkedHashMap<>();
    private WsConnection current;
    private boolean sessionUp;
    private int failures;
    private Region goawayTarget;
    /** When the client moved regions for data residency ({@link #followWrongRegion}), newest last. */
    private final java.util.ArrayDeque<Long> residencyMoves = new java.util.ArrayDeque<>();
    static final int MAX_RESIDENCY_MOVES = 3;
    private ScheduledFuture<?> handshakeTimer;
    private ScheduledFuture<?> tick;
    private long lastFrameNanos;
    private long lastPingNanos;
    private long helloCount;
    private final Map<String, String> lastErrors = new LinkedHashMap<>();
    private Throwable lastCause;

    ClientEngine(ClientOptions options, String clientId) {
        this.options = options;
        this.clientId = clientId;
        this.loop = new ScheduledThreadPoolExecutor(1, new DaemonThreads("geows-client-" + clientId));
        loop.setRemoveOnCancelPolicy(true);
        loop.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        if (options.listenerExecutor() == null) {
            // One thread at most, ending when idle: never shut down, so futures completed after close()
            // still complete on it rather than on the caller's thread.
            java.util.concurrent.ThreadPoolExecutor own = new java.util.concurrent.ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS,
                    new java.util.concurrent.LinkedBlockingQueue<>(), new DaemonThreads("geows-client-" + clientId + "-callbacks"));
            own.allowCoreThreadTimeOut(true);
            ownCallbackThread = own;
            callbacks = new SerialExecutor(ownCallbackThread);
        } else {
            ownCallbackThread = null;
            callbacks = new SerialExecutor(options.listenerExecutor());
        }
        this.pool = options.regionPool().get();
        this.session = new Session(this);
        // Requests made before connect() time out too, so the tick runs from the start.
        Duration period = options.heartbeatInterval().compareTo(TICK) < 0 ? options.heartbeatInterval() : TICK;
        tick = loop.scheduleAtFixedRate(this::tick, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
    }

    // ---------------------------------------------------------------- plumbing

    /** Runs a task on the loop; false when the client is closed and the loop gone. */
    boolean post(Runnable task) {
        try {
            loop.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Runs a task on the loop later; null when the client is closed (the task would have nothing to do). */
    ScheduledFuture<?> schedule(Duration delay, Runnable task) {
        try {
            return loop.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    /** Completes a future on the listener executor, so that the app's continuations never run on the loop. */
    @SuppressWarnings("unchecked")
    void complete(CompletableFuture<?> f, Object value) {
        if (f != null) {
            callbacks.execute(() -> ((CompletableFuture<Object>) f).complete(value));
        }
    }

    void fail(CompletableFuture<?> f, Throwable error) {
        if (f != null) {
            callbacks.execute(() -> f.completeExceptionally(error));
        }
    }

    /** The connection frames may be sent on now, or null. */
    WsConnection sendable() {
        return sessionUp ? current : null;
    }

    /** A connection exists (maybe still saying hello): a room the app leaves may be joined on the node. */
    boolean hasConnection() {
        return current != null;
    }

    boolean isClosed() {
        return closed;
    }

    ConnectionState state() {
        return state;
    }

    String region() {
        return regionName;
    }

    String user() {
        return user;
    }

    List<Region> regions() {
        CompletableFuture<List<Region>> f = new CompletableFuture<>();
        if (!post(() -> f.complete(pool.regions()))) {
            return List.of();
        }
        return f.join();
    }

    // ---------------------------------------------------------------- connect

    CompletableFuture<Void> connect() {
        if (!post(this::startConnecting)) {
            return CompletableFuture.failedFuture(GeoWsClientException.closed("connect()"));
        }
        return connected.copy();
    }

    private void startConnecting() {
        if (connectCalled || closed) {
            return;
        }
        connectCalled = true;
        setState(ConnectionState.CONNECTING, null, null);
        schedule(options.connectTimeout(), () -> {
            if (!everConnected && !closed) {
                terminate(ConnectFailedException.noRegionReachable(lastErrors, options.connectTimeout(), lastCause));
            }
        });
        learnRegions().thenCompose(this::probe).whenComplete((probes, err) -> post(() -> {
            if (closed) {
                return;
            }
            if (err != null) {
                terminate(err instanceof GeoWsClientException g ? g
                        : new ConnectFailedException("could not prepare the regions: " + err, err));
                return;
            }
            probes.forEach(p -> known.put(p.region().name(), p.region()));
            pool.update(probes, options.preferredRegion());
            log.debug("client {}: regions measured {}, order {}", clientId, probes, pool.regions());
            attempt();
        }));
    }

    private CompletableFuture<List<RegionDiscovery.Listed>> learnRegions() {
        List<RegionDiscovery.Listed> given = new ArrayList<>();
        options.regions().forEach(r -> given.add(new RegionDiscovery.Listed(r, true)));
        if (options.regionsUrl() == null) {
            return CompletableFuture.completedFuture(given);
        }
        return RegionDiscovery.fetch(options.regionsUrl(), options.handshakeTimeout(), options.sslContext()).handle((listed, err) -> {
            if (err != null) {
                if (given.isEmpty()) {
                    throw ConnectFailedException.regionsUnavailable(options.regionsUrl(), err);
                }
                log.warn("client {}: could not learn regions from {} ({}); using the {} configured ones",
                        clientId, options.regionsUrl(), err.toString(), given.size());
                return given;
            }
            Map<String, RegionDiscovery.Listed> merged = new LinkedHashMap<>();
            given.forEach(l -> merged.put(l.region().name(), l));
            listed.forEach(l -> merged.put(l.region().name(), l)); // what the cluster says now wins
            if (merged.isEmpty()) {
                throw ConnectFailedException.noRegions(options.regionsUrl());
            }
            return new ArrayList<>(merged.values());
        });
    }

    private CompletableFuture<List<RegionProbe>> probe(List<RegionDiscovery.Listed> regions) {
        if (!options.measureRtt() || regions.size() < 2) {
            return CompletableFuture.completedFuture(regions.stream()
                    .map(l -> RegionProbe.unmeasured(l.region(), l.ready())).toList());
        }
        List<CompletableFuture<RegionProbe>> probes = regions.stream()
                .map(l -> RttProbe.probe(l.region(), l.ready(), options.probeTimeout(), loop, options.sslContext())).toList();
        return CompletableFuture.allOf(probes.toArray(CompletableFuture[]::new))
                .thenApply(v -> probes.stream().map(CompletableFuture::join).toList());
    }

    /** Opens a connection to the next region. */
    private void attempt() {
        if (closed || current != null) {
            return;
        }
        Region target = goawayTarget != null ? goawayTarget : pool.next();
        goawayTarget = null;
        if (target == null) {
            terminate(ConnectFailedException.noRegionReachable(lastErrors, options.connectTimeout(), lastCause));
            return;
        }
        WsConnection c = new WsConnection(this, target, (int) Math.min(Integer.MAX_VALUE, options.handshakeTimeout().toMillis()),
                options.sslContext());
        current = c;
        sessionUp = false;
        handshakeTimer = schedule(options.handshakeTimeout(), () -> {
            if (current == c && !sessionUp) {
                lost(c, RetryDecision.ABNORMAL, "no welcome within " + options.handshakeTimeout().toMillis() + " ms ("
                        + (c.helloId == null ? "the WebSocket did not open" : "the hello got no answer") + ")", false, null);
            }
        });
        log.debug("client {}: connecting to {}", clientId, target);
        c.connect();
    }

    private int refreshCount;

    void onOpen(WsConnection c) {
        if (c != current || closed) {
            c.shutdown(1000, "not needed any more");
            return;
        }
        String token;
        try {
            token = options.tokenSupplier().get();
        } catch (RuntimeException e) {
            log.warn("client {}: the token supplier failed; trying again later", clientId, e);
            lost(c, RetryDecision.ABNORMAL, "the token supplier failed: " + e, false, null);
            return;
        }
        if (token == null) {
            terminate(new GeoWsClientException("the token supplier returned null; it must return a token for every hello"));
            return;
        }
        Map<String, Frames.Position> resume = session.resumePositions();
        c.resumed = resume.keySet();
        c.helloId = "h" + (++helloCount);
        lastFrameNanos = System.nanoTime();
        boolean sent = c.sendText(Frames.hello(token, resume, c.helloId));
        log.debug("client {}: {} open, hello {} (resuming {} rooms)", clientId, c, sent ? "sent" : "NOT sent", resume.size());
    }

    // ---------------------------------------------------------------- frames

    void onFrame(WsConnection c, JsonNode f, String raw) {
        if (c != current || closed) {
            return; // a connection we left: its frames are replayed by the next session if they matter
        }
        lastFrameNanos = System.nanoTime();
        if (f == null) {
            log.warn("client {}: ignoring a frame that is not a JSON object from {}: {}", clientId, c.region, abbreviate(raw));
            return;
        }
        String type = f.path("type").asText();
        switch (type) {
            case "welcome" -> onWelcome(c, f);
            case "error" -> onErrorFrame(c, f);
            case "goaway" -> onGoaway(c, f);
            case "refresh" -> onRefreshAsked(c, f);
            case "refreshed" -> log.debug("client {}: token refreshed at {}; expires at {}", clientId, c.region,
                    f.path("expiresAt").asLong());
            case "pong" -> {
                // liveness only: lastFrameNanos is already updated
            }
            default -> {
                if (!sessionUp) {
                    log.warn("client {}: '{}' before welcome from {}; ignored", clientId, type, c.region);
                } else {
                    session.onFrame(type, f);
                }
            }
        }
    }

    /** The node wants a fresh token before the current one expires: ask the supplier, send it on. */
    private void onRefreshAsked(WsConnection c, JsonNode f) {
        String token;
        try {
            token = options.tokenSupplier().get();
        } catch (RuntimeException e) {
            log.warn("client {}: the token supplier failed on refresh; the node closes the session at expiry "
                    + "and the client connects again with a new token", clientId, e);
            return;
        }
        if (token == null) {
            log.warn("client {}: the token supplier returned null on refresh", clientId);
            return;
        }
        c.sendText(Frames.refresh(token, "r" + (++refreshCount)));
    }

    private void onWelcome(WsConnection c, JsonNode f) {
        if (sessionUp) {
            log.warn("client {}: a second welcome from {}; ignored", clientId, c.region);
            return;
        }
        cancel(handshakeTimer);
        sessionUp = true;
        failures = 0;
        lastPingNanos = System.nanoTime();
        lastErrors.clear();
        pool.succeeded(c.region);
        user = Frames.textOrNull(f, "user");
        regionName = c.region.name();
        session.onWelcome(c, f);
        boolean first = !everConnected;
        everConnected = true;
        log.info("client {}: {} region {} (node {}) as {}", clientId, first ? "connected to" : "failed over to",
                c.region.name(), Frames.textOrNull(f, "node"), user);
        setState(first ? ConnectionState.CONNECTED : ConnectionState.FAILED_OVER, c.region.name(), null);
        if (first) {
            complete(connected, null);
        }
    }

    private void onErrorFrame(WsConnection c, JsonNode f) {
        String code = f.path("code").asText();
        String ref = Frames.textOrNull(f, "ref");
        String message = Frames.textOrNull(f, "message");
        if (RetryDecision.WRONG_REGION.equals(code)) {
            if (ref != null && ref.equals(c.helloId)) {
                if (f.hasNonNull("user")) {
                    // This user is served in other regions only: the whole session moves (the node closes
                    // this connection either way).
                    followWrongRegion(c, f);
                    return;
                }
                // A resumed room this region may not serve: the welcome leaves it out, and the rejoin the
                // session then sends gets its own wrong_region, which moves us (below).
                log.debug("client {}: {} may not serve a resumed room: {}", clientId, c.region, message);
                return;
            }
            if (f.hasNonNull("room") && session.awaits(ref) && followWrongRegion(c, f)) {
                return; // the request stays pending and goes to the new region after its welcome
            }
        }
        if (ref != null && ref.equals(c.helloId)) {
            if (RetryDecision.UNAVAILABLE.equals(code) || "forbidden".equals(code)) {
                // One room could not be rejoined (broker down, or no longer allowed); the session still starts,
                // and the room is joined again after welcome (which then fails on its own if it is forbidden).
                log.debug("client {}: {} could not rejoin a room: {}", clientId, c.region, message);
                return;
            }
            c.helloError = code;
            c.helloErrorMessage = message;
            RetryDecision d = RetryDecision.afterClose(0, code);
            if (!d.retry()) {
                terminate(refusal(c, code, message, d));
            }
            return;
        }
        session.onError(code, ref, message);
    }

    /**
     * A {@code wrong_region} answer (data residency): moves to a region that may serve the room, the
     * nearest the client knows among those named, else the node the answer names. At most
     * {@value #MAX_RESIDENCY_MOVES} such moves a minute, so rooms pinned to different regions cannot
     * bounce the client for ever (then the request fails with the node's answer).
     *
     * @return whether the client is moving
     */
    private boolean followWrongRegion(WsConnection c, JsonNode f) {
        long now = System.nanoTime();
        residencyMoves.removeIf(t -> now - t > TimeUnit.MINUTES.toNanos(1));
        String what = Frames.textOrNull(f, "room") != null ? "room '" + Frames.textOrNull(f, "room") + "'"
                : "user '" + Frames.textOrNull(f, "user") + "'";
        if (residencyMoves.size() >= MAX_RESIDENCY_MOVES) {
            log.warn("client {}: {} is served only in {}, but the client moved regions for data residency {} times "
                    + "in the last minute (rooms of different zones?); not moving again", clientId, what,
                    f.path("regions"), residencyMoves.size());
            return false;
        }
        java.util.Set<String> allowed = new java.util.LinkedHashSet<>();
        f.path("regions").forEach(r -> allowed.add(r.asText()));
        Region target = null;
        for (Region r : pool.regions()) {
            if (allowed.contains(r.name()) && !r.equals(c.region)) {
                target = r;
                break;
            }
        }
        String url = Frames.textOrNull(f, "url");
        if (target == null && url != null && !allowed.isEmpty()) {
            try {
                target = new Region(allowed.iterator().next(), URI.create(url));
            } catch (IllegalArgumentException e) {
                log.warn("client {}: wrong_region names an unusable url {}: {}", clientId, url, e.getMessage());
            }
        }
        if (target == null || target.equals(c.region)) {
            log.warn("client {}: {} is served only in {}, and the client knows no way there", clientId, what, allowed);
            return false;
        }
        residencyMoves.add(now);
        log.info("client {}: {} is served only in {} (data residency); moving from {} to {}", clientId, what,
                allowed, c.region.name(), target.name());
        lost(c, RetryDecision.GOING_AWAY, "wrong_region: " + what + " is served in " + allowed, true, target);
        return true;
    }

    private static GeoWsClientException refusal(WsConnection c, String code, String message, RetryDecision d) {
        if (RetryDecision.UNAUTHORIZED.equals(code)) {
            return SessionRefusedException.unauthorized(c.region.name(), message);
        }
        if (RetryDecision.UNSUPPORTED_PROTOCOL.equals(code)) {
            return SessionRefusedException.unsupportedProtocol(c.region.name(), message);
        }
        return SessionRefusedException.notRetryable(c.region.name(), code, d.reason());
    }

    private void onGoaway(WsConnection c, JsonNode f) {
        String region = Frames.textOrNull(f, "region");
        String url = Frames.textOrNull(f, "url");
        Region target = null;
        if (region != null && known.containsKey(region)) {
            target = known.get(region);
        } else if (url != null) {
            try {
                target = new Region(region != null ? region : url, URI.create(url));
            } catch (IllegalArgumentException e) {
                log.warn("client {}: goaway names an unusable url {}: {}", clientId, url, e.getMessage());
            }
        }
        if (target != null && target.equals(c.region)) {
            target = null;
        }
        log.info("client {}: {} sent goaway ({}); moving to {}", clientId, c.region.name(),
                Frames.textOrNull(f, "reason"), target != null ? target.name() : "the next region");
        lost(c, RetryDecision.GOING_AWAY, "goaway: " + Frames.textOrNull(f, "reason"), true, target);
    }

    void onClose(WsConnection c, int code, String reason) {
        if (c != current || closed) {
            return;
        }
        String why = code == RetryDecision.NEVER_CONNECTED
                ? "could not connect: " + (c.lastError != null ? c.lastError : reason)
                : "closed with " + code + (reason == null || reason.isEmpty() ? "" : " (" + reason + ")");
        lost(c, code, why, false, null);
    }

    // ---------------------------------------------------------------- loss and retry

    /**
     * The current connection is over. Decides whether to try again and where, re-queues what was
     * in flight, and schedules the next attempt.
     */
    private void lost(WsConnection c, int closeCode, String why, boolean goaway, Region target) {
        boolean wasUp = sessionUp;
        current = null;
        sessionUp = false;
        regionName = null;
        cancel(handshakeTimer);
        if (goaway) {
            c.shutdown(1000, "moving to another region");
        } else {
            c.abort(why);
        }
        session.connectionLost(c);
        RetryDecision decision = RetryDecision.afterClose(closeCode, c.helloError);
        if (!decision.retry()) {
            terminate(refusal(c, c.helloError != null ? c.helloError : closeCodeName(closeCode), c.helloErrorMessage, decision));
            return;
        }
        pool.failed(c.region);
        lastErrors.put(c.region.name(), why);
        lastCause = c.lastError;
        // A goaway is a planned move (deploy, drain): the app is told where we go, not given an error.
        GeoWsClientException cause = goaway ? null : new GeoWsClientException(why + " - " + decision.reason(), c.lastError);
        if (wasUp) {
            log.info("client {}: lost {}: {}; reconnecting", clientId, c.region.name(), why);
            setState(ConnectionState.RECONNECTING, c.region.name(), cause);
        } else {
            log.debug("client {}: attempt on {} failed: {}", clientId, c.region.name(), why, c.lastError);
        }
        Duration delay;
        if (goaway) {
            goawayTarget = target;
            delay = Duration.ZERO; // the node asked us to move: nothing is wrong, and it waits for us to leave
        } else {
            delay = options.reconnectBackoff().delay(++failures);
        }
        schedule(delay, this::attempt);
    }

    private static String closeCodeName(int code) {
        return switch (code) {
            case RetryDecision.CLOSE_UNAUTHORIZED -> RetryDecision.UNAUTHORIZED;
            case RetryDecision.CLOSE_UNSUPPORTED_PROTOCOL -> RetryDecision.UNSUPPORTED_PROTOCOL;
            default -> "close_" + code;
        };
    }

    /** Heartbeats and request deadlines, a few times a second while the client lives. */
    private void tick() {
        long now = System.nanoTime();
        WsConnection c = current;
        if (c != null && sessionUp) {
            if (now - lastFrameNanos > options.heartbeatTimeout().toNanos()) {
                lost(c, RetryDecision.ABNORMAL, "no frame from the node for "
                        + Duration.ofNanos(now - lastFrameNanos).toMillis() + " ms (missed heartbeats)", false, null);
            } else if (now - lastPingNanos >= options.heartbeatInterval().toNanos()) {
                lastPingNanos = now;
                c.sendText(Frames.ping("p" + now));
            }
        }
        session.expire(now);
    }

    // ---------------------------------------------------------------- state and close

    private void setState(ConnectionState next, String region, Throwable cause) {
        if (state == next) {
            return;
        }
        state = next;
        ConnectionEvent event = new ConnectionEvent(next, region, cause);
        ClientListener l = options.listener();
        callbacks.execute(() -> l.onConnectionEvent(event));
    }

    /** Closes for good: by the app ({@code cause} null) or because retrying cannot help. Idempotent. */
    void terminate(GeoWsClientException cause) {
        if (closed) {
            return;
        }
        closed = true;
        WsConnection c = current;
        String lastRegion = c != null ? c.region.name() : regionName;
        current = null;
        sessionUp = false;
        regionName = null;
        cancel(handshakeTimer);
        cancel(tick);
        if (c != null) {
            c.shutdown(1000, cause == null ? "client closed" : "client gave up");
        }
        if (cause != null) {
            log.warn("client {}: closing: {}", clientId, cause.getMessage());
        }
        session.closeAll(cause);
        if (!connected.isDone()) {
            fail(connected, cause != null ? cause : GeoWsClientException.closed("connect()"));
        }
        setState(ConnectionState.CLOSED, lastRegion, cause);
        loop.shutdown();
        // Tasks already posted (an API call racing the close) still run, and fail their futures;
        // timers (retries, backoffs, deadlines) are dropped so the loop thread ends now.
        for (Runnable queued : loop.getQueue()) {
            if (queued instanceof ScheduledFuture<?> timer && timer.getDelay(TimeUnit.NANOSECONDS) > 0) {
                timer.cancel(false);
            }
        }
    }

    /** Closes and waits (briefly) until the loop finished closing. */
    void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!post(() -> {
            terminate(null);
            done.complete(null);
        })) {
            return;
        }
        try {
            done.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.debug("client {}: close did not finish in 5 s", clientId, e);
        }
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    private static String abbreviate(String s) {
        return s == null || s.length() <= 200 ? s : s.substring(0, 197) + "...";
    }
}
