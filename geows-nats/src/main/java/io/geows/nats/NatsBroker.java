package io.geows.nats;

import io.geows.BrokerUnavailableException;
import io.geows.GeoWsException;
import io.geows.nats.internal.HistoryStream;
import io.geows.nats.internal.JsApi;
import io.geows.nats.internal.KvPresence;
import io.geows.nats.internal.Names;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerEvent;
import io.geows.spi.BrokerEventListener;
import io.geows.spi.BrokerEventListeners;
import io.geows.spi.BrokerListener;
import io.geows.spi.BrokerMessage;
import io.geows.spi.History;
import io.geows.spi.Presence;
import io.geows.spi.Subscription;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BrokerAdapter} on NATS: core subjects for messages between nodes, a JetStream stream for
 * room history (its sequences are the offsets) and a key-value bucket for presence. One instance per
 * node; see the {@linkplain io.geows.nats package documentation} for the design.
 *
 * <pre>{@code
 * GeoWsNode node = GeoWsNode.builder()
 *         .region("us-east")
 *         .authenticator(jwtAuthenticator)
 *         .interRegionKeys(interRegionKeys)
 *         .broker(NatsBroker.connect("nats://127.0.0.1:4222"))
 *         .build().start();
 * }</pre>
 *
 * <p>Connection state: jnats reconnects by itself. A disconnect is reported as
 * {@link BrokerEvent#LOST} at once; after jnats reconnected, the adapter checks that JetStream
 * answers and that a message sent to itself comes back through the dispatcher that carries every
 * subscription (so the server has them all again), and only then reports
 * {@link BrokerEvent#RESTORED} — on that dispatcher's thread, before any message received later.
 * Until then {@link #isConnected()} is {@code false} and every operation fails fast with
 * {@link BrokerUnavailableException}: nothing is buffered.
 *
 * <p>Threading: every method is thread-safe and non-blocking, except the factories (which connect)
 * and {@link #close()}. Messages are delivered on one jnats dispatcher thread (one for all topics);
 * results complete on the adapter's own thread.
 *
 * @since 0.1.0
 */
public final class NatsBroker implements BrokerAdapter {
    private static final Logger log = LoggerFactory.getLogger(NatsBroker.class);
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final long CANARY_TIMEOUT_MILLIS = 2_000;

    private enum State { UP, DOWN, VERIFYING, CLOSED }

    private final NatsBrokerOptions options;
    private final Connection connection;
    private final boolean owned;
    private final Callbacks events;
    private final String address;
    private final Names names;
    private static final long PLACEMENT_STALE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final AtomicLong placementLookedAt = new AtomicLong(System.nanoTime());
    private final ScheduledThreadPoolExecutor executor;
    private final JsApi api;
    private final HistoryStream history;
    private final KvPresence presence;
    private final BrokerEventListeners brokerEvents = new BrokerEventListeners();
    private final Set<Sub> subs = ConcurrentHashMap.newKeySet();
    private final Map<Long, CompletableFuture<Void>> roundTrips = new ConcurrentHashMap<>();
    private final AtomicLong roundTripIds = new AtomicLong();
    private final String controlSubject = "_GEOWS.ctl." + UUID.randomUUID().toString().replace("-", "");
    private final Object stateLock = new Object();
    private Dispatcher dispatcher;
    private volatile State state = State.DOWN;
    private long generation;

    private NatsBroker(Connection connection, NatsBrokerOptions options, boolean owned, Callbacks events) {
        this.options = options;
        this.connection = connection;
        this.owned = owned;
        this.events = events;
        this.address = options.natsOptions() == null && owned ? options.address() : describe(connection, options);
        this.names = new Names(options.topicPrefix());
        String threadName = "geows-nats-" + (options.connectionName() != null ? options.connectionName()
                : String.valueOf(IDS.incrementAndGet()));
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        this.executor.setRemoveOnCancelPolicy(true);
        // A replicated stream is read through its leader: a replica catching up would answer from less.
        this.api = new JsApi(connection, options.requestTimeout(), executor, address, options.replicas() > 1);
        this.history = new HistoryStream(api, names, new HistoryStream.Config(options.stream(),
                options.historyMaxPerRoom(), options.historyMaxBytes(), options.historyMaxAge(),
                options.duplicateWindow(), options.placement(), options.replicas(), storage(options)), this::isConnected, executor);
        this.presence = new KvPresence(api, new KvPresence.Config(options.presenceBucket(), options.presenceMaxAge(),
                options.placement(), options.replicas(), storage(options)), this::isConnected);
    }

    private static String storage(NatsBrokerOptions options) {
        return options.storage() == NatsBrokerOptions.Storage.MEMORY ? "memory" : "file";
    }

    private static String describe(Connection c, NatsBrokerOptions options) {
        String url = c.getConnectedUrl();
        return url != null ? NatsUrls.redact(url) : options.address();
    }

    // ------------------------------------------------------------------ factories

    /**
     * Connects to the NATS server at {@code url} with default options.
     *
     * @param url such as {@code nats://127.0.0.1:4222} or {@code nats://user:pass@host:4222}
     * @throws BrokerUnavailableException when the server cannot be reached or has no JetStream
     * @throws IllegalArgumentException   when the URL is not a NATS URL
     */
    public static NatsBroker connect(String url) {
        return connect(NatsBrokerOptions.of(url));
    }

    /**
     * Connects with these options and makes sure the history stream and the presence bucket exist
     * (creating them when missing). Blocks until done or failed.
     *
     * @throws BrokerUnavailableException when the server cannot be reached, or JetStream does not
     *                                    answer; the message names the address and what to check
     * @throws GeoWsException             when the server refuses the login or the TLS handshake fails
     *                                    (the certificate is not trusted or names another host); the
     *                                    message says which and names the address, never a password
     * @throws IllegalArgumentException   when a trust option's file cannot be used
     */
    public static NatsBroker connect(NatsBrokerOptions options) {
        Objects.requireNonNull(options, "options");
        Options user = options.natsOptions();
        Callbacks events = new Callbacks(user == null ? null : user.getConnectionListener(),
                user == null ? null : user.getErrorListener());
        Options.Builder b;
        if (user != null) {
            b = new Options.Builder(user);
        } else {
            b = new Options.Builder().server(options.url()).maxReconnects(-1).reconnectWait(options.reconnectWait())
                    .connectionTimeout(options.requestTimeout());
            SSLContext tls = NatsTls.context(options);
            if (tls != null) {
                b.sslContext(tls);
            }
            if (options.username() != null) {
                b.userInfo(options.username().toCharArray(), options.password());
            } else if (options.hasToken()) {
                b.token(options.token());
            }
        }
        // 0 disables jnats' reconnect buffer (a negative size would make it unlimited): a publish
        // while disconnected must fail, not wait in memory to be lost or sent late.
        b.reconnectBufferSize(0).connectionListener(events).errorListener(events);
        if (options.connectionName() != null) {
            b.connectionName(options.connectionName());
        }
        Connection c;
        try {
            c = Nats.connect(b.build());
        } catch (IOException e) {
            throw NatsConnectErrors.connectFailure(options.address(), e, events.lastException);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerUnavailableException("interrupted while connecting to NATS at " + options.address(), e);
        }
        NatsBroker broker = new NatsBroker(c, options, true, events);
        events.bind(broker);
        broker.start();
        return broker;
    }

    /**
     * Uses a connection the caller made and keeps owning: {@link #close()} leaves it open. The
     * adapter adds a connection listener to it. Make the connection with
     * {@code reconnectBufferSize(0)} (and {@code maxReconnects(-1)}) so that nothing is queued while
     * it is down; the adapter itself never publishes while disconnected.
     *
     * @throws BrokerUnavailableException when JetStream does not answer on it
     */
    public static NatsBroker wrap(Connection connection, NatsBrokerOptions options) {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(options, "options");
        Callbacks events = new Callbacks(null, null);
        NatsBroker broker = new NatsBroker(connection, options, false, events);
        events.bind(broker);
        connection.addConnectionListener(events);
        broker.start();
        return broker;
    }

    private void start() {
        dispatcher = connection.createDispatcher();
        dispatcher.subscribe(controlSubject, this::onControl);
        try {
            // creating the stream and the bucket may take a while with replicas in other regions
            history.refresh().thenCompose(epoch -> presence.ensureBucket())
                    .get(Math.max(options.requestTimeout().toMillis() * 3, 2L * JsApi.MIN_CREATE_SECONDS * 1000 + 1000),
                            TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? JsApi.unwrap(e.getCause()) : e;
            closeQuietly();
            if (cause instanceof GeoWsException g) {
                throw g;
            }
            throw new BrokerUnavailableException("NATS at " + address + " does not answer JetStream requests (" + cause
                    + ") - is JetStream enabled ('nats-server -js', or 'jetstream {}' in its configuration)?", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly();
            throw new BrokerUnavailableException("interrupted while setting up JetStream on NATS at " + address, e);
        }
        synchronized (stateLock) {
            if (state == State.DOWN && connection.getStatus() == Connection.Status.CONNECTED) {
                state = State.UP;
            }
        }
        log.info("connected to NATS at {} (server {}), history stream {} epoch {}, presence bucket {}", address,
                connection.getServerInfo().getVersion(), options.stream(), history.epoch(), options.presenceBucket());
    }

    /**
     * {@code {"history": <server leading the history stream>}} when its leader is known; empty
     * otherwise. The stream is looked at after each failed append, and here when the last look is
     * over a second old (in the background: this answers with what is known now, and the next call
     * sees the result), so readiness pages and metrics follow a move without a timer.
     */
    @Override
    public Map<String, String> placement() {
        long now = System.nanoTime();
        long last = placementLookedAt.get();
        if (isConnected() && now - last > PLACEMENT_STALE_NANOS && placementLookedAt.compareAndSet(last, now)) {
            history.refresh().exceptionally(e -> null);
        }
        String leader = history.leader();
        return leader == null ? Map.of() : Map.of("history", leader);
    }

    private void closeQuietly() {
        state = State.CLOSED;
        executor.shutdownNow();
        if (owned) {
            try {
                connection.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------ BrokerAdapter

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        if (!isConnected()) {
            return CompletableFuture.failedFuture(unavailable());
        }
        try {
            connection.publish(topic, payload); // handed over by the caller (SPI): no copy
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new BrokerUnavailableException("publish to " + topic + " on NATS at "
                    + address + " failed (" + e.getMessage() + "); not sent, retry once it reconnects", e));
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Subscription> subscribe(String topic, BrokerListener listener) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(listener, "listener");
        if (!isConnected()) {
            return CompletableFuture.failedFuture(unavailable());
        }
        Sub sub = new Sub(topic, listener, names.roomToken(topic));
        try {
            sub.open();
        } catch (RuntimeException e) {
            sub.close();
            return CompletableFuture.failedFuture(new BrokerUnavailableException("subscribe to " + topic + " on NATS at "
                    + address + " failed (" + e.getMessage() + ")", e));
        }
        return roundTrip().handle((v, err) -> {
            if (err != null) {
                sub.close();
                throw new java.util.concurrent.CompletionException(JsApi.unwrap(err));
            }
            return (Subscription) sub;
        });
    }

    @Override
    public History history() {
        return history;
    }

    @Override
    public Presence presence() {
        return presence;
    }

    /** Whether the connection is up and, after a reconnect, verified; publishes fail fast while not. */
    @Override
    public boolean isConnected() {
        return state == State.UP && connection.getStatus() == Connection.Status.CONNECTED;
    }

    @Override
    public void addListener(BrokerEventListener listener) {
        brokerEvents.add(listener);
    }

    /** Returns {@code nats}. */
    @Override
    public String name() {
        return "nats";
    }

    /** The options this broker was made with. */
    public NatsBrokerOptions options() {
        return options;
    }

    /**
     * Closes every subscription and, when the broker made the connection, the connection. Blocks
     * until jnats closed it. Idempotent; never throws.
     */
    @Override
    public void close() {
        synchronized (stateLock) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
        }
        subs.forEach(Sub::close);
        roundTrips.values().forEach(f -> f.completeExceptionally(unavailable()));
        try {
            if (dispatcher != null && connection.getStatus() != Connection.Status.CLOSED) {
                connection.closeDispatcher(dispatcher);
            }
            if (owned) {
                // Publishes already completed sit in jnats' outgoing buffer: send them before closing.
                if (connection.getStatus() == Connection.Status.CONNECTED) {
                    try {
                        connection.flush(java.time.Duration.ofSeconds(1));
                    } catch (java.util.concurrent.TimeoutException e) {
                        log.debug("NATS at {} did not confirm the last publishes before close", address);
                    }
                }
                connection.close();
            } else {
                connection.removeConnectionListener(events);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.debug("closing the NATS connection to {} failed", address, e);
        }
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "NatsBroker[" + address + ", " + state + "]";
    }

    private BrokerUnavailableException unavailable() {
        return state == State.CLOSED
                ? new BrokerUnavailableException("NATS broker " + address + " is closed")
                : BrokerUnavailableException.disconnected("nats:" + address);
    }

    // ------------------------------------------------------------------ connection state

    private void onConnectionEvent(ConnectionListener.Events type) {
        if (state == State.CLOSED) {
            return; // our own close(), or a failed start
        }
        switch (type) {
            case DISCONNECTED -> down();
            case RECONNECTED -> verify();
            case CLOSED -> {
                down();
                log.warn("the NATS connection to {} was closed; no more reconnect attempts", address);
            }
            case LAME_DUCK -> log.info("NATS server {} entered lame duck mode; jnats moves to another server", address);
            default -> { }
        }
    }

    private void down() {
        synchronized (stateLock) {
            generation++;
            if (state == State.UP) {
                state = State.DOWN;
                log.warn("lost the connection to NATS at {}; operations fail until it is back", address);
                emit(BrokerEvent.LOST);
            } else if (state == State.VERIFYING) {
                state = State.DOWN;
            }
        }
    }

    private void verify() {
        long g;
        synchronized (stateLock) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.VERIFYING;
            g = ++generation;
        }
        log.info("reconnected to NATS at {}; checking JetStream and subscriptions before reporting it restored", address);
        attemptVerify(g, 0);
    }

    private boolean verifying(long g) {
        synchronized (stateLock) {
            return state == State.VERIFYING && generation == g;
        }
    }

    private void attemptVerify(long g, int attempt) {
        if (!verifying(g)) {
            return;
        }
        // JetStream recovers its streams after the client port opens: wait for it, or the node's
        // recovery read would fail.
        history.probe(probeTimeout()).thenCompose(epoch -> presence.ensureBucket()).whenComplete((v, err) -> {
            if (!verifying(g)) {
                return;
            }
            if (err != null) {
                long delay = Math.min(500, 50L << Math.min(attempt, 4));
                log.debug("NATS at {} is back but JetStream is not ready ({}); checking again in {} ms", address,
                        JsApi.unwrap(err).toString(), delay);
                schedule(() -> attemptVerify(g, attempt + 1), delay);
                return;
            }
            try {
                connection.publish(controlSubject, ("c" + g).getBytes(StandardCharsets.US_ASCII));
            } catch (RuntimeException e) {
                log.debug("canary publish failed", e);
            }
            // If the canary is lost (the connection dropped again, or it raced the resubscription), try again.
            schedule(() -> attemptVerify(g, attempt + 1), CANARY_TIMEOUT_MILLIS);
        });
    }

    private java.time.Duration probeTimeout() {
        java.time.Duration half = java.time.Duration.ofMillis(500);
        return options.requestTimeout().compareTo(half) < 0 ? options.requestTimeout() : half;
    }

    private void schedule(Runnable r, long millis) {
        try {
            executor.schedule(r, millis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed
        }
    }

    /** Control messages to ourselves, on the dispatcher thread that delivers every subscription. */
    private void onControl(Message m) {
        String token = new String(m.getData(), StandardCharsets.US_ASCII);
        if (token.startsWith("c")) {
            long g = Long.parseLong(token.substring(1));
            synchronized (stateLock) {
                if (state == State.VERIFYING && generation == g) {
                    state = State.UP;
                    log.info("NATS at {} restored: JetStream answers and every subscription is live again", address);
                    // On the dispatcher thread: the node hears RESTORED before any message received after it.
                    emit(BrokerEvent.RESTORED);
                }
            }
        } else if (token.startsWith("r")) {
            CompletableFuture<Void> f = roundTrips.remove(Long.parseLong(token.substring(1)));
            if (f != null) {
                executor.execute(() -> f.complete(null));
            }
        }
    }

    /** Completes once the server processed everything this connection sent before (subscriptions included). */
    private CompletableFuture<Void> roundTrip() {
        long id = roundTripIds.incrementAndGet();
        CompletableFuture<Void> f = new CompletableFuture<>();
        roundTrips.put(id, f);
        try {
            connection.publish(controlSubject, ("r" + id).getBytes(StandardCharsets.US_ASCII));
        } catch (RuntimeException e) {
            roundTrips.remove(id);
            return CompletableFuture.failedFuture(unavailable());
        }
        schedule(() -> {
            CompletableFuture<Void> late = roundTrips.remove(id);
            if (late != null) {
                late.completeExceptionally(new BrokerUnavailableException("NATS at " + address
                        + " did not confirm a subscription within " + options.requestTimeout().toMillis() + " ms; retry"));
            }
        }, options.requestTimeout().toMillis());
        return f;
    }

    private void emit(BrokerEvent event) {
        brokerEvents.emit(event);
    }

    private void slowConsumer(Consumer consumer) {
        log.warn("NATS client for {} dropped messages: the dispatcher could not keep up (pending limits reached);"
                + " room messages are read again from history, other messages are lost", address);
    }

    // ------------------------------------------------------------------ subscriptions

    /** One subscription: the topic on core NATS and, for a room topic, the room's live history messages. */
    private final class Sub implements Subscription {
        final String topic;
        final BrokerListener listener;
        final String roomToken;
        io.nats.client.Subscription core;
        io.nats.client.Subscription liveSub;
        volatile boolean closed;

        Sub(String topic, BrokerListener listener, String roomToken) {
            this.topic = topic;
            this.listener = listener;
            this.roomToken = roomToken;
        }

        void open() {
            subs.add(this);
            core = dispatcher.subscribe(topic, this::onCore);
            if (roomToken != null) {
                liveSub = dispatcher.subscribe(names.liveSubject(roomToken), this::onLive);
            }
        }

        private void onCore(Message m) {
            if (!closed) {
                deliver(new BrokerMessage(topic, m.getData() == null ? new byte[0] : m.getData(), 0, null));
            }
        }

        private void onLive(Message m) {
            if (closed) {
                return;
            }
            Headers h = m.getHeaders();
            long seq = h == null ? -1 : parse(h.getFirst("Nats-Sequence"));
            long previous = h == null ? -1 : parse(h.getFirst("Nats-Last-Sequence"));
            String epoch = h == null ? null : names.epochOf(h.getFirst("Nats-Subject"));
            if (seq <= 0 || previous < 0 || epoch == null) {
                // Not republished by the stream: someone published here. The node drops and counts it.
                deliver(new BrokerMessage(topic, m.getData() == null ? new byte[0] : m.getData(), 0, null));
                return;
            }
            if (state != State.UP) {
                return; // arrived while reconnecting: read from history once restored
            }
            // The node checks the position against the previous one and fills any gap from history
            // (republished messages are at-most-once); a header that cannot be right makes it check.
            deliver(new BrokerMessage(topic, m.getData() == null ? new byte[0] : m.getData(), seq, epoch,
                    previous < seq ? previous : 0, null));
        }

        private void deliver(BrokerMessage m) {
            if (closed) {
                return;
            }
            try {
                listener.onMessage(m);
            } catch (RuntimeException e) {
                log.warn("listener of {} failed", topic, e);
            }
        }

        @Override
        public String topic() {
            return topic;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            subs.remove(this);
            try {
                if (connection.getStatus() != Connection.Status.CLOSED) {
                    if (core != null) {
                        dispatcher.unsubscribe(core);
                    }
                    if (liveSub != null) {
                        dispatcher.unsubscribe(liveSub);
                    }
                }
            } catch (RuntimeException e) {
                log.debug("unsubscribe from {} failed", topic, e);
            }
        }
    }

    private static long parse(String s) {
        if (s == null) {
            return -1;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    // ------------------------------------------------------------------ jnats callbacks

    /** jnats' connection and error callbacks, forwarded to the broker and to the user's own listeners. */
    private static final class Callbacks implements ConnectionListener, ErrorListener {
        private final ConnectionListener userConnection;
        private final ErrorListener userError;
        private volatile NatsBroker broker;
        /** The last exception jnats reported; explains a failed first connect (a TLS handshake, say). */
        volatile Exception lastException;

        Callbacks(ConnectionListener userConnection, ErrorListener userError) {
            this.userConnection = userConnection;
            this.userError = userError;
        }

        void bind(NatsBroker b) {
            this.broker = b;
        }

        @Override
        public void connectionEvent(Connection conn, ConnectionListener.Events type) {
            NatsBroker b = broker;
            if (b != null) {
                b.onConnectionEvent(type);
            }
            if (userConnection != null) {
                userConnection.connectionEvent(conn, type);
            }
        }

        @Override
        public void errorOccurred(Connection conn, String error) {
            if (error != null && error.contains("Permissions Violation")) {
                // The account's permissions lack something a node needs: see docs/deployment.md.
                log.warn("NATS refused an operation of this node: {}", error);
            } else {
                log.debug("NATS error: {}", error);
            }
            if (userError != null) {
                userError.errorOccurred(conn, error);
            }
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            lastException = exp;
            log.debug("NATS exception: {}", exp.toString());
            if (userError != null) {
                userError.exceptionOccurred(conn, exp);
            }
        }

        @Override
        public void slowConsumerDetected(Connection conn, Consumer consumer) {
            NatsBroker b = broker;
            if (b != null) {
                b.slowConsumer(consumer);
            }
            if (userError != null) {
                userError.slowConsumerDetected(conn, consumer);
            }
        }
    }
}
