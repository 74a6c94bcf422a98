package io.geows.internal;

import io.geows.CloseCodes;
import io.geows.Identity;
import io.geows.spi.Session;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A client's session on a transport {@link Connection}, with its bounded outbound buffer. */
public final class WsSession implements Session {
    private static final Logger log = LoggerFactory.getLogger(WsSession.class);
    private static final int MAX_EARLY_FRAMES = 64;

    enum State { NEW, HELLO_PENDING, READY, CLOSED }

    private final Connection conn;
    private final String id;
    private final int maxQueuedFrames;
    private final long maxQueuedBytes;
    private final Counters counters;
    private final ScheduledExecutorService scheduler;
    final ConcurrentHashMap<String, RoomCursor> cursors = new ConcurrentHashMap<>();
    /**
     * Guards membership changes (register, join, leave, close) so that a close racing a join can
     * never leave a room reference or a registry entry behind.
     */
    final Object membership = new Object();
    private volatile Identity identity;
    private State state = State.NEW;
    private List<String> early;
    private volatile boolean slow;
    private volatile boolean warned;
    private final RateLimiter rateLimiter;
    private java.util.concurrent.ScheduledFuture<?> refreshAsk;
    private java.util.concurrent.ScheduledFuture<?> expiryClose;
    private volatile boolean announced;
    /** The last intercepted publish of this session: the next one is decided after it (order kept). */
    private java.util.concurrent.CompletableFuture<Void> publishes = java.util.concurrent.CompletableFuture.completedFuture(null);
    private final java.util.concurrent.atomic.AtomicInteger rpcsInFlight = new java.util.concurrent.atomic.AtomicInteger();
    private int closeCode;
    private String closeReason;

    WsSession(Connection conn, String id, int maxQueuedFrames, long maxQueuedBytes, Counters counters,
              ScheduledExecutorService scheduler, RateLimiter rateLimiter) {
        this.rateLimiter = rateLimiter;
        this.conn = conn;
        this.id = id;
        this.maxQueuedFrames = maxQueuedFrames;
        this.maxQueuedBytes = maxQueuedBytes;
        this.counters = counters;
        this.scheduler = scheduler;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String user() {
        Identity i = identity;
        return i == null ? null : i.userId();
    }

    Identity identity() {
        return identity;
    }

    /** The session's frame rate limiter, or {@code null} when unlimited. */
    RateLimiter rateLimiter() {
        return rateLimiter;
    }

    /** A refreshed identity of the same user. */
    void replaceIdentity(Identity fresh) {
        this.identity = fresh;
    }

    /** The timers that ask for a fresh token and close at expiry; replaces (cancels) earlier ones. */
    synchronized void expiryTimers(java.util.concurrent.ScheduledFuture<?> ask, java.util.concurrent.ScheduledFuture<?> close) {
        cancelExpiry();
        this.refreshAsk = ask;
        this.expiryClose = close;
    }

    synchronized void cancelExpiry() {
        if (refreshAsk != null) {
            refreshAsk.cancel(false);
            expiryClose.cancel(false);
            refreshAsk = null;
            expiryClose = null;
        }
    }

    @Override
    public Set<String> rooms() {
        return Set.copyOf(cursors.keySet());
    }

    /** The transport's connection under this session. */
    Connection connection() {
        return conn;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return conn.remoteAddress();
    }

    @Override
    public boolean isOpen() {
        return conn.isOpen() && !slow;
    }

    @Override
    public void close(int code, String reason) {
        closedWith(code, reason);
        try {
            conn.close(code, reason);
        } catch (RuntimeException e) {
            log.debug("close of {} failed", id, e);
        }
    }

    /** Records why the session ends, unless a reason was recorded before (the first one wins). */
    synchronized void closedWith(int code, String reason) {
        if (closeCode == 0) {
            closeCode = code;
            closeReason = reason == null ? "" : reason;
        }
    }

    /** The close code recorded, or {@link CloseCodes#ABNORMAL} when neither side sent one. */
    synchronized int closeCode() {
        return closeCode == 0 ? CloseCodes.ABNORMAL : closeCode;
    }

    /** The close reason recorded, or "connection lost". */
    synchronized String closeReason() {
        return closeCode == 0 ? "connection lost" : closeReason;
    }

    /**
     * Runs {@code step} once the previous step given here has completed: the session's intercepted
     * publishes are decided and handed to the broker one after the other. {@code step}'s future must
     * not fail.
     */
    synchronized void afterPreviousPublish(java.util.function.Supplier<java.util.concurrent.CompletableFuture<Void>> step) {
        publishes = publishes.thenCompose(x -> step.get());
    }

    /** Counts an RPC in; false (not counted) when {@code max} are waiting already. */
    boolean startRpc(int max) {
        if (rpcsInFlight.incrementAndGet() > max) {
            rpcsInFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    void endRpc() {
        rpcsInFlight.decrementAndGet();
    }

    /** Marks the session as told to the connection listeners. */
    void markAnnounced() {
        announced = true;
    }

    /** Whether the connection listeners were told of this session. */
    boolean announced() {
        return announced;
    }

    /** Starts the hello: returns false when a hello was already seen. */
    synchronized boolean beginHello(Identity identity) {
        if (state != State.NEW) {
            return false;
        }
        this.identity = identity;
        state = State.HELLO_PENDING;
        return true;
    }

    /** Whether a hello was accepted (possibly still completing). */
    synchronized boolean helloSeen() {
        return state != State.NEW;
    }

    /** Outcome of {@link #deferIfHelloPending}. */
    enum Deferral { NOT_PENDING, QUEUED, OVERFLOW }

    /**
     * Queues a frame that arrived while the hello completes. {@code NOT_PENDING}: the session is
     * ready, the caller handles the frame itself; {@code OVERFLOW}: too many frames before the welcome,
     * the frame was not queued.
     */
    synchronized Deferral deferIfHelloPending(String text) {
        if (state != State.HELLO_PENDING) {
            return Deferral.NOT_PENDING;
        }
        if (early == null) {
            early = new ArrayList<>();
        }
        if (early.size() >= MAX_EARLY_FRAMES) {
            return Deferral.OVERFLOW;
        }
        early.add(text);
        return Deferral.QUEUED;
    }

    /**
     * Takes the frames that waited for the welcome. Only when none are left does the session become
     * ready, so frames that arrive while these are handled still queue behind them: order is kept.
     */
    synchronized List<String> takeEarlyOrBecomeReady() {
        if (early == null || early.isEmpty()) {
            if (state == State.HELLO_PENDING) {
                state = State.READY;
            }
            return List.of();
        }
        List<String> out = early;
        early = null;
        return out;
    }

    synchronized void markClosed() {
        state = State.CLOSED;
    }

    synchronized boolean isClosed() {
        return state == State.CLOSED;
    }

    /** Logs the first problem of a session at info, the rest at debug: one bad client, one log line. */
    void logOnce(String what, Object detail) {
        if (!warned) {
            warned = true;
            log.info("session {} ({}): {} {}", id, remoteAddress(), what, detail);
        } else {
            log.debug("session {}: {} {}", id, what, detail);
        }
    }

    /**
     * Queues a text frame. Returns false when the session is closed, or when its outbound buffer is
     * over the limit, in which case it is disconnected as a slow consumer.
     */
    boolean send(byte[] utf8Json) {
        if (slow || !conn.isOpen()) {
            return false;
        }
        int queued = conn.queuedFrames();
        // Counting bytes walks the queue under its locks (contending with the writer thread), so it
        // is done only when the queue, if its frames were the size of this one, would pass the limit.
        if (queued >= maxQueuedFrames
                || (queued >= 32 && (long) queued * (utf8Json.length + 10) > maxQueuedBytes
                    && conn.queuedBytes() + utf8Json.length > maxQueuedBytes)) {
            slowConsumer(queued);
            return false;
        }
        if (!conn.sendText(utf8Json)) {
            return false;
        }
        counters.framesOut.increment();
        return true;
    }

    private void slowConsumer(int queued) {
        synchronized (this) {
            if (slow) {
                return;
            }
            slow = true;
        }
        counters.slowConsumers.increment();
        log.warn("session {} (user {}, {}) is a slow consumer: {} frames queued; closing with {}",
                id, user(), remoteAddress(), queued, CloseCodes.SLOW_CONSUMER);
        close(CloseCodes.SLOW_CONSUMER, "slow consumer: outbound buffer full");
        // A client that does not read will not read our close frame either: drop the TCP connection
        // shortly after, so its buffer is freed.
        scheduler.schedule(() -> conn.abort(CloseCodes.SLOW_CONSUMER, "slow consumer: outbound buffer full"),
                1, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "Session[" + id + ", user=" + user() + "]";
    }
}
