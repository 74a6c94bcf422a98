package io.geows.nats;

import io.geows.BrokerUnavailableException;
import io.geows.GeoWsException;
import io.geows.Topics;
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
import io.geows.spi.TrustStores;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
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
 * <p>Everything else is set on a {@link #builder()}, whose {@link Builder#build()} connects:
 * <pre>{@code
 * NatsBroker broker = NatsBroker.builder()
 *         .url("tls://nats.us-east.internal:4222")
 *         .credentials("geows", secretFromVault)                 // or token(...), or in the URL
 *         .trustedCertificates(Path.of("/etc/geows/nats-ca.pem")) // or trustStore(p12, password)
 *         .historyPlacement("us-east")                            // the cluster holding the history stream
 *         .build();
 * }</pre>
 * TLS is used with a {@code tls://} URL or as soon as a trust option is set; the server's certificate
 * must chain to a trusted CA and name the host of the URL (the broker verifies host names, which
 * jnats on its own does not). For anything more (credentials files, NKeys, client certificates, a
 * custom {@code SSLContext}), give jnats {@link Options} to {@link Builder#natsOptions(Options)}, or
 * a connection you made to {@link Builder#connection(Connection)}.
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
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** The default server URL: {@value}. */
    public static final String DEFAULT_URL = "nats://127.0.0.1:4222";
    /** The default name of the history stream: {@value}. */
    public static final String DEFAULT_STREAM = "GEOWS_HISTORY";
    /** The default name of the presence key-value bucket: {@value}. */
    public static final String DEFAULT_PRESENCE_BUCKET = "geows-presence";
    /** The default number of messages kept per room: {@value}. */
    public static final long DEFAULT_HISTORY_MAX_PER_ROOM = 10_000;
    /** The default bound on the whole history stream, in bytes: {@value} (1 GiB). */
    public static final long DEFAULT_HISTORY_MAX_BYTES = 1L << 30;
    /** The default age after which history messages are dropped: one hour. */
    public static final Duration DEFAULT_HISTORY_MAX_AGE = Duration.ofHours(1);
    /** The default window in which a repeated message key is recognised: ten minutes. */
    public static final Duration DEFAULT_DUPLICATE_WINDOW = Duration.ofMinutes(10);
    /** The default age after which presence entries nobody refreshed are dropped: one hour. */
    public static final Duration DEFAULT_PRESENCE_MAX_AGE = Duration.ofHours(1);
    /** The default timeout of one JetStream request: five seconds. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** The default wait between reconnect attempts (URL-built connections only): 250 ms. */
    public static final Duration DEFAULT_RECONNECT_WAIT = Duration.ofMillis(250);


    /** Where JetStream keeps what the adapter creates. */
    public enum Storage {
        /** On disk: history survives a server restart (the default). */
        FILE,
        /**
         * In memory: nothing on disk, and a restarted server has lost the history (the room epoch
         * changes, and resuming clients are told of the gap), like a Redis without persistence. Not
         * faster on nats-server 2.9: there a memory stream with per-room limits cost the server far more
         * CPU than a file stream (see {@code benchmarks/README.md}).
         */
        MEMORY
    }


    private final NatsSettings settings;
    private final Connection connection;
    private final boolean owned;
    private final NatsCallbacks events;
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
    private final NatsLink link;
    private Dispatcher dispatcher;

    private NatsBroker(Connection connection, NatsSettings settings, boolean owned, NatsCallbacks events) {
        this.settings = settings;
        this.connection = connection;
        this.owned = owned;
        this.events = events;
        this.address = settings.natsOptions() == null && owned ? settings.address() : describe(connection, settings);
        this.names = new Names(settings.topicPrefix());
        String threadName = "geows-nats-" + (settings.connectionName() != null ? settings.connectionName()
                : String.valueOf(IDS.incrementAndGet()));
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        this.executor.setRemoveOnCancelPolicy(true);
        // A replicated stream is read through its leader: a replica catching up would answer from less.
        this.api = new JsApi(connection, settings.requestTimeout(), executor, address, settings.replicas() > 1);
        this.history = new HistoryStream(api, names, new HistoryStream.Config(settings.stream(),
                settings.historyMaxPerRoom(), settings.historyMaxBytes(), settings.historyMaxAge(),
                settings.duplicateWindow(), settings.placement(), settings.replicas(), storage(settings)), this::isConnected, executor);
        this.presence = new KvPresence(api, new KvPresence.Config(settings.presenceBucket(), settings.presenceMaxAge(),
                settings.placement(), settings.replicas(), storage(settings)), this::isConnected);
        // JetStream recovers its streams after the client port opens: a reconnect counts once it answers.
        this.link = new NatsLink(connection, address, settings.requestTimeout(), executor, brokerEvents,
                probe -> history.probe(probe).thenCompose(epoch -> presence.ensureBucket()));
    }

    private static String storage(NatsSettings settings) {
        return settings.storage() == Storage.MEMORY ? "memory" : "file";
    }

    private static String describe(Connection c, NatsSettings settings) {
        String url = c.getConnectedUrl();
        return url != null ? NatsUrls.redact(url) : settings.address();
    }

    // ------------------------------------------------------------------ factories

    /**
     * Connects to the NATS server at {@code url} with every other setting at its default.
     *
     * @param url such as {@code nats://127.0.0.1:4222} or {@code nats://user:pass@host:4222}
     * @throws BrokerUnavailableException when the server cannot be reached or has no JetStream
     * @throws IllegalArgumentException   when the URL is not a NATS URL
     */
    public static NatsBroker connect(String url) {
        return builder().url(url).build();
    }

    /** A builder with every setting at its default; {@link Builder#build()} connects. */
    public static Builder builder() {
        return new Builder();
    }

    /** Connects (or takes the caller's connection) with these settings, then sets JetStream up. */
    static NatsBroker start(NatsSettings settings) {
        NatsBroker broker;
        if (settings.connection() != null) {
            NatsCallbacks events = new NatsCallbacks(null, null);
            broker = new NatsBroker(settings.connection(), settings, false, events);
            events.bind(broker);
            settings.connection().addConnectionListener(events);
        } else {
            Options user = settings.natsOptions();
            NatsCallbacks events = new NatsCallbacks(user == null ? null : user.getConnectionListener(),
                    user == null ? null : user.getErrorListener());
            Connection c;
            try {
                c = Nats.connect(settings.jnatsOptions(events));
            } catch (IOException e) {
                throw NatsConnectErrors.connectFailure(settings.address(), e, events.lastException);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BrokerUnavailableException("interrupted while connecting to NATS at " + settings.address(), e);
            }
            broker = new NatsBroker(c, settings, true, events);
            events.bind(broker);
        }
        broker.start();
        return broker;
    }

    private void start() {
        dispatcher = connection.createDispatcher();
        dispatcher.subscribe(link.controlSubject(), link::onControl);
        try {
            // creating the stream and the bucket may take a while with replicas in other regions
            history.refresh().thenCompose(epoch -> presence.ensureBucket())
                    .get(Math.max(settings.requestTimeout().toMillis() * 3, 2L * JsApi.MIN_CREATE_SECONDS * 1000 + 1000),
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
        link.started();
        log.info("connected to NATS at {} (server {}), history stream {} epoch {}, presence bucket {}", address,
                connection.getServerInfo().getVersion(), settings.stream(), history.epoch(), settings.presenceBucket());
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

    /** After a failed start: nothing of this broker stays on the connection, which is closed if ours. */
    private void closeQuietly() {
        link.close();
        executor.shutdownNow();
        try {
            if (owned) {
                connection.close();
            } else {
                if (dispatcher != null) {
                    connection.closeDispatcher(dispatcher);
                }
                connection.removeConnectionListener(events);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.debug("cleaning up after a failed start on NATS at {} failed", address, e);
        }
    }

    // ------------------------------------------------------------------ BrokerAdapter

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        if (!isConnected()) {
            return CompletableFuture.failedFuture(link.unavailable());
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
            return CompletableFuture.failedFuture(link.unavailable());
        }
        Sub sub = new Sub(topic, listener, names.roomToken(topic));
        try {
            sub.open();
        } catch (RuntimeException e) {
            sub.close();
            return CompletableFuture.failedFuture(new BrokerUnavailableException("subscribe to " + topic + " on NATS at "
                    + address + " failed (" + e.getMessage() + ")", e));
        }
        return link.roundTrip().handle((v, err) -> {
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
        return link.isUp();
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

    /** The settings this broker was built with. */
    NatsSettings settings() {
        return settings;
    }

    /**
     * Closes every subscription and, when the broker made the connection, the connection. Blocks
     * until jnats closed it. Idempotent; never throws.
     */
    @Override
    public void close() {
        if (!link.close()) {
            return;
        }
        subs.forEach(Sub::close);
        try {
            if (dispatcher != null && connection.getStatus() != Connection.Status.CLOSED) {
                connection.closeDispatcher(dispatcher);
            }
            if (owned) {
                // Publishes already completed sit in jnats' outgoing buffer: send them before closing.
                if (connection.getStatus() == Connection.Status.CONNECTED) {
                    try {
                        connection.flush(Duration.ofSeconds(1));
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
        return "NatsBroker[" + address + ", " + link.state() + "]";
    }

    void onConnectionEvent(ConnectionListener.Events type) {
        link.onConnectionEvent(type);
    }

    void slowConsumer(Consumer consumer) {
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
            if (link.state() != NatsLink.State.UP) {
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

    // ------------------------------------------------------------------ builder

    /**
     * Configures and connects a {@link NatsBroker}; from {@link NatsBroker#builder()}. Not thread-safe;
     * each {@link #build()} copies what is set, so one builder can make several brokers.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        String url;
        Connection connection;
        Options natsOptions;
        String topicPrefix = Topics.DEFAULT_PREFIX;
        String stream = DEFAULT_STREAM;
        String presenceBucket = DEFAULT_PRESENCE_BUCKET;
        long historyMaxPerRoom = DEFAULT_HISTORY_MAX_PER_ROOM;
        long historyMaxBytes = DEFAULT_HISTORY_MAX_BYTES;
        Duration historyMaxAge = DEFAULT_HISTORY_MAX_AGE;
        Duration duplicateWindow = DEFAULT_DUPLICATE_WINDOW;
        Duration presenceMaxAge = DEFAULT_PRESENCE_MAX_AGE;
        String placement;
        int replicas = 1;
        Storage storage = Storage.FILE;
        Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        Duration reconnectWait = DEFAULT_RECONNECT_WAIT;
        String connectionName;
        Path trustedCertificates;
        Path trustStore;
        char[] trustStorePassword;
        String username;
        char[] password;
        char[] token;

        private Builder() {
        }

        /**
         * The server URL, such as {@code nats://host:4222}, {@code nats://user:pass@host:4222},
         * {@code nats://token@host:4222} or {@code tls://host:4222}; several may be given separated by
         * commas. Default {@value NatsBroker#DEFAULT_URL}.
         *
         * @throws IllegalArgumentException when it is not a {@code nats://}, {@code tls://},
         *                                  {@code ws://} or {@code wss://} URL
         */
        public Builder url(String url) {
            this.url = NatsUrls.validate(Objects.requireNonNull(url, "url"));
            return this;
        }

        /**
         * Connects with these jnats options (servers, credentials, TLS, ...) instead of {@link #url}.
         * The broker copies them and changes only what its guarantees need: its own connection and
         * error listeners are added (yours are still called) and the reconnect buffer is disabled, so
         * a publish while disconnected fails instead of being queued.
         */
        public Builder natsOptions(Options options) {
            this.natsOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Uses a connection the caller made and keeps owning, instead of {@link #url} or
         * {@link #natsOptions}: {@link NatsBroker#close()} leaves it open. The broker adds a connection
         * listener to it. Make it with {@code reconnectBufferSize(0)} (and {@code maxReconnects(-1)})
         * so that nothing is queued while it is down; the broker itself never publishes while
         * disconnected.
         */
        public Builder connection(Connection connection) {
            this.connection = Objects.requireNonNull(connection, "connection");
            return this;
        }

        /** The topic prefix; must match the nodes'. Default {@value Topics#DEFAULT_PREFIX}. */
        public Builder topicPrefix(String prefix) {
            this.topicPrefix = Topics.withPrefix(prefix).prefix();
            return this;
        }

        /** The history stream's name (letters, digits, {@code -}, {@code _}). Default {@value NatsBroker#DEFAULT_STREAM}. */
        public Builder stream(String name) {
            this.stream = name("stream", name);
            return this;
        }

        /** The presence bucket's name. Default {@value NatsBroker#DEFAULT_PRESENCE_BUCKET}. */
        public Builder presenceBucket(String name) {
            this.presenceBucket = name("presence bucket", name);
            return this;
        }

        /** Messages kept per room, at least 1. Default {@value NatsBroker#DEFAULT_HISTORY_MAX_PER_ROOM}. */
        public Builder historyMaxPerRoom(long messages) {
            if (messages < 1) {
                throw new IllegalArgumentException("historyMaxPerRoom must be >= 1, was " + messages);
            }
            this.historyMaxPerRoom = messages;
            return this;
        }

        /** Bytes kept over all rooms, at least 1 KiB. Default {@value NatsBroker#DEFAULT_HISTORY_MAX_BYTES}. */
        public Builder historyMaxBytes(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("historyMaxBytes must be >= 1024, was " + bytes);
            }
            this.historyMaxBytes = bytes;
            return this;
        }

        /** How long a history message is kept; positive. Default one hour. */
        public Builder historyMaxAge(Duration age) {
            this.historyMaxAge = positive("historyMaxAge", age);
            return this;
        }

        /**
         * How long a message key is remembered (JetStream's duplicate window); positive, at most the
         * history age. Default ten minutes. A repeated publish (a client's retry after failover) is
         * recognised and answered with the original offset only within this window, not for the
         * whole retention: the server keeps every id of the window in memory, so a window as long as
         * the history costs memory in proportion to the message rate.
         */
        public Builder duplicateWindow(Duration window) {
            this.duplicateWindow = positive("duplicateWindow", window);
            return this;
        }

        /** How long an unrefreshed presence entry is kept; at least one minute. Default one hour. */
        public Builder presenceMaxAge(Duration age) {
            positive("presenceMaxAge", age);
            if (age.compareTo(Duration.ofMinutes(1)) < 0) {
                throw new IllegalArgumentException("presenceMaxAge must be at least 1 minute, was " + age);
            }
            this.presenceMaxAge = age;
            return this;
        }

        /**
         * The cluster (in a super-cluster: the region's cluster name) in which the history stream and
         * the presence bucket are created when missing. Every region reads and writes them there
         * through the gateways; see the package documentation. Default: none (the server chooses).
         */
        public Builder historyPlacement(String cluster) {
            Objects.requireNonNull(cluster, "cluster");
            if (cluster.isBlank()) {
                throw new IllegalArgumentException("historyPlacement must not be blank");
            }
            this.placement = cluster;
            return this;
        }

        /** Replicas of the stream and bucket when they are created: 1 to 5. Default 1. */
        public Builder replicas(int replicas) {
            if (replicas < 1 || replicas > 5) {
                throw new IllegalArgumentException("replicas must be between 1 and 5, was " + replicas);
            }
            this.replicas = replicas;
            return this;
        }

        /** Where the history stream and presence bucket are kept when created. Default {@link Storage#FILE}. */
        public Builder storage(Storage storage) {
            this.storage = Objects.requireNonNull(storage, "storage");
            return this;
        }

        /** Timeout of one JetStream request; positive. Default five seconds. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive("requestTimeout", timeout);
            return this;
        }

        /** Wait between reconnect attempts of a URL-built connection; positive. Default 250 ms. */
        public Builder reconnectWait(Duration wait) {
            this.reconnectWait = positive("reconnectWait", wait);
            return this;
        }

        /**
         * Trusts the CA certificates in this PEM file (one or more {@code -----BEGIN CERTIFICATE-----}
         * blocks) instead of the JDK's default CAs, and connects with TLS even with a {@code nats://}
         * URL. The server's host name is verified.
         *
         * @param pemFile a readable PEM file
         * @throws IllegalArgumentException when the file cannot be read
         * @since 0.1.0
         */
        public Builder trustedCertificates(Path pemFile) {
            this.trustedCertificates = TrustStores.readableFile("trustedCertificates", pemFile);
            return this;
        }

        /**
         * Trusts the certificates in this trust store (PKCS#12, or JKS) instead of the JDK's default
         * CAs, and connects with TLS even with a {@code nats://} URL. The server's host name is
         * verified.
         *
         * @param file     a readable trust store
         * @param password its password (copied)
         * @throws IllegalArgumentException when the file cannot be read
         * @since 0.1.0
         */
        public Builder trustStore(Path file, char[] password) {
            this.trustStore = TrustStores.readableFile("trustStore", file);
            this.trustStorePassword = Objects.requireNonNull(password, "password").clone();
            return this;
        }

        /**
         * Logs in with this user and password (the server's {@code authorization} user), instead of
         * putting them in the URL.
         *
         * @param username the user
         * @param password its password (copied)
         * @since 0.1.0
         */
        public Builder credentials(String username, char[] password) {
            this.username = Objects.requireNonNull(username, "username");
            this.password = Objects.requireNonNull(password, "password").clone();
            return this;
        }

        /**
         * Logs in with this token (the server's {@code authorization} token), instead of putting it
         * in the URL.
         *
         * @param token the token (copied)
         * @since 0.1.0
         */
        public Builder token(char[] token) {
            this.token = Objects.requireNonNull(token, "token").clone();
            return this;
        }

        /**
         * The connection name the server shows in its monitoring, e.g. the node id; it also names the
         * broker's thread. With {@link #connection(Connection)} it names the thread only.
         */
        public Builder connectionName(String name) {
            this.connectionName = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Connects (or takes the {@linkplain #connection given connection}) and makes sure the history
         * stream and the presence bucket exist, creating them when missing. Blocks until done or
         * failed.
         *
         * @throws IllegalArgumentException   when the duplicate window is longer than the history age,
         *                                    or connection, TLS or login settings conflict (the message
         *                                    names both), or a trust option's file cannot be used
         * @throws BrokerUnavailableException when the server cannot be reached, or JetStream does not
         *                                    answer; the message names the address and what to check
         * @throws GeoWsException             when the server refuses the login or the TLS handshake fails
         *                                    (the certificate is not trusted or names another host); the
         *                                    message says which and names the address, never a password
         */
        public NatsBroker build() {
            return NatsBroker.start(settings());
        }

        /** The settings as they are now, checked; what {@link #build()} connects with. */
        NatsSettings settings() {
            if (duplicateWindow.compareTo(historyMaxAge) > 0) {
                throw new IllegalArgumentException("duplicateWindow (" + duplicateWindow + ") must not be longer than"
                        + " historyMaxAge (" + historyMaxAge + "); shorten the window or keep history longer");
            }
            String trust = trustedCertificates != null ? "trustedCertificates(...)" : trustStore != null ? "trustStore(...)" : null;
            String login = username != null ? "credentials(...)" : token != null ? "token(...)" : null;
            if (trustedCertificates != null && trustStore != null) {
                throw new IllegalArgumentException("trustedCertificates(...) and trustStore(...) conflict: give one");
            }
            if (username != null && token != null) {
                throw new IllegalArgumentException("credentials(...) and token(...) conflict: the server expects one");
            }
            if (connection != null && (url != null || natsOptions != null || trust != null || login != null)) {
                throw new IllegalArgumentException("connection(...) and " + (url != null ? "url(...)"
                        : natsOptions != null ? "natsOptions(...)" : trust != null ? trust : login)
                        + " conflict: the connection you give is used as it is");
            }
            if (natsOptions != null && url != null) {
                throw new IllegalArgumentException("natsOptions(...) and url(...) conflict: give the servers in one place");
            }
            if (natsOptions != null && (trust != null || login != null)) {
                throw new IllegalArgumentException("natsOptions(...) and " + (trust != null ? trust : login)
                        + " conflict: set TLS and authentication on your jnats Options");
            }
            if (login != null && url != null && NatsUrls.hasUserInfo(url)) {
                throw new IllegalArgumentException(login + " and the user info of the URL " + NatsUrls.redact(url)
                        + " conflict: give the credentials in one place");
            }
            if (trust != null && url != null && NatsUrls.trustsAnyCertificate(url)) {
                throw new IllegalArgumentException(trust + " and the URL " + NatsUrls.redact(url) + " conflict:"
                        + " opentls:// trusts any certificate; use tls://");
            }
            return new NatsSettings(this);
        }

        private static String name(String what, String name) {
            Objects.requireNonNull(name, what);
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(what + " name '" + name
                        + "' must be 1-64 letters, digits, '-' or '_'");
            }
            return name;
        }

        private static Duration positive(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }
    }
}
