package io.geows;

import io.geows.internal.DefaultSessionRegistry;
import io.geows.internal.NodeEngine;
import io.geows.internal.NettyTransport;
import io.geows.memory.InMemoryBroker;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.Position;
import io.geows.spi.PresenceMember;
import io.geows.spi.Router;
import io.geows.spi.SessionRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One geows node: a WebSocket endpoint in a region, connected to a broker that links it to the
 * other nodes and regions.
 *
 * <pre>{@code
 * InMemoryBroker broker = new InMemoryBroker();          // or a Redis / NATS adapter
 * try (GeoWsNode node = GeoWsNode.builder()
 *         .region("eu-west")
 *         .port(0)                                        // 0: any free port
 *         .broker(broker.connect("eu-1"))
 *         .authenticator(JwtAuthenticator.builder().hmacSecret(secret).build())
 *         .interRegionKeys(InterRegionKeys.parse(System.getenv("GEOWS_INTER_REGION_KEYS")))
 *         .build()
 *         .start()) {
 *     log.info("clients connect to {}", node.uri());
 * }
 * }</pre>
 *
 * <p>Threading: thread-safe. {@link #start()} and {@link #close()} block until done; everything else
 * returns at once.
 *
 * @since 0.1.0
 */
public final class GeoWsNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GeoWsNode.class);

    /** The default bind address: {@value} (loopback; use {@code "0.0.0.0"} to accept remote clients). */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The default presence time-to-live: 15 seconds. */
    public static final Duration DEFAULT_PRESENCE_TTL = Duration.ofSeconds(15);
    /** How long {@link #close()} waits for clients to leave after {@code goaway}: 5 seconds. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(5);
    /** How long the application's hooks may take to answer: 5 seconds (see {@link Builder#hookTimeout}). */
    public static final Duration DEFAULT_HOOK_TIMEOUT = Duration.ofSeconds(5);

    private final String region;
    private final String nodeId;
    private final String host;
    private final int requestedPort;
    private final String publicUrl;
    private final BrokerAdapter broker;
    private final io.geows.internal.Brokers brokers;
    private final Duration drainTimeout;
    private final NodeLimits limits;
    private final ScheduledExecutorService scheduler;
    private final NodeEngine engine;
    private final boolean insecureAuth;
    private final InterRegionKeys interRegionKeys;
    private final java.util.Set<String> allowedOrigins;
    private final ServerTls tls;
    private final Object lifecycle = new Object();
    private NettyTransport transport;
    private boolean started;
    private boolean closed;

    private GeoWsNode(Builder b) {
        this.region = b.region;
        this.nodeId = b.nodeId != null ? b.nodeId : b.region + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.host = b.host;
        this.requestedPort = b.port;
        this.publicUrl = b.publicUrl;
        this.broker = b.broker != null ? b.broker : new InMemoryBroker().connect(nodeId);
        this.brokers = new io.geows.internal.Brokers(broker, b.zoneBrokers, b.residency, region, b.retention);
        for (BrokerAdapter a : brokers.all()) {
            a.history().retention(b.retention);
        }
        this.drainTimeout = b.drainTimeout;
        this.limits = b.limits;
        this.insecureAuth = b.authenticator == Authenticator.insecureTokenAsUserId();
        this.interRegionKeys = b.interRegionKeys;
        this.allowedOrigins = java.util.Set.copyOf(b.allowedOrigins);
        this.tls = b.tls;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "geows-node-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        this.engine = new NodeEngine(new NodeEngine.Parts(region, nodeId, publicUrl, Topics.withPrefix(b.topicPrefix),
                brokers, b.registry != null ? b.registry : new DefaultSessionRegistry(),
                b.router != null ? b.router : Router.defaults(), b.authenticator, b.authorizer,
                b.interRegionKeys.seal(), limits, b.presence, b.presenceTtl, scheduler, b.observer,
                java.util.List.copyOf(b.connectionListeners), b.interceptor, b.rpcMethods,
                b.hookExecutor != null ? b.hookExecutor : hookThreads(nodeId),
                b.hookTimeout));
    }

    /** The default hook executor: a few daemon threads, more only while hooks are busy. */
    private static java.util.concurrent.ExecutorService hookThreads(String nodeId) {
        int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(threads, threads,
                10, TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "geows-hooks-" + nodeId + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** A builder; {@link Builder#region(String)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Subscribes to the broker, then opens the WebSocket port. Blocks until clients can connect.
     *
     * @return this node
     * @throws GeoWsException when the port cannot be bound or the broker does not answer in time
     * @throws IllegalStateException when already started or closed
     */
    public GeoWsNode start() {
        synchronized (lifecycle) {
            if (started || closed) {
                throw new IllegalStateException("node " + nodeId + " was already " + (closed ? "closed" : "started"));
            }
            started = true;
        }
        await(engine.start(), Duration.ofSeconds(30), "subscribe to broker " + broker.name());
        try {
            transport = new NettyTransport(new NettyTransport.Settings(new InetSocketAddress(host, requestedPort),
                    limits.maxFrameBytes(), limits.pingInterval(), limits.helloTimeout(), allowedOrigins,
                    tls == null ? null : tls.sslContext(), nodeId), engine);
        } catch (GeoWsException e) {
            closeQuietly();
            throw e;
        }
        if (insecureAuth) {
            log.warn("node {} runs with the insecure demo authenticator (token = user id): use a JwtAuthenticator for production",
                    nodeId);
        }
        if (!interRegionKeys.enabled() && !(broker instanceof io.geows.memory.InMemoryConnection)) {
            log.warn("node {}: broker messages are not signed (no InterRegionKeys); whoever can publish on {} can "
                    + "inject messages", nodeId, broker.name());
        }
        log.info("geows node {} in region {} listening on {} (broker: {})", nodeId, region, uri(), broker.name());
        return this;
    }

    private void await(CompletableFuture<?> f, Duration timeout, String what) {
        try {
            f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            closeQuietly();
            throw new GeoWsException("node " + nodeId + " could not " + what + ": " + e.getCause().getMessage()
                    + " - is the broker running and reachable?", e.getCause());
        } catch (TimeoutException e) {
            closeQuietly();
            throw new GeoWsException("node " + nodeId + " could not " + what + " within " + timeout
                    + " - is the broker running and reachable?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly();
            throw new GeoWsException("interrupted while starting node " + nodeId, e);
        }
    }

    /** The region this node serves. */
    public String region() {
        return region;
    }

    /** The node id (unique in the cluster). */
    public String nodeId() {
        return nodeId;
    }

    /**
     * The port the node listens on (the real one when built with port 0).
     *
     * @throws IllegalStateException before {@link #start()}
     */
    public int port() {
        if (transport == null) {
            throw new IllegalStateException("node " + nodeId + " is not started");
        }
        return transport.port();
    }

    /** The local WebSocket URI, e.g. {@code ws://127.0.0.1:8081/} ({@code wss://} with {@link Builder#tls}). */
    public URI uri() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return URI.create((tls == null ? "ws://" : "wss://") + h + ":" + port() + "/");
    }

    /** The URL clients are told to use ({@code goaway}, {@code /regions}), or {@code null}. */
    public String publicUrl() {
        return publicUrl;
    }

    /**
     * Whether the node should get traffic: started, broker connected, not draining. What a load
     * balancer's health check should ask.
     */
    public boolean isReady() {
        synchronized (lifecycle) {
            if (!started || closed) {
                return false;
            }
        }
        return engine.isReady();
    }

    /** A snapshot of the node's counters. */
    public NodeStats stats() {
        return engine.stats();
    }

    /**
     * Where the broker keeps what this node depends on, as its adapter last saw it: role to holder,
     * e.g. {@code {"primary": "10.0.2.7:6379"}} (Redis behind Sentinel) or {@code {"history": "eu-west-1"}}
     * (the NATS server leading the history stream); empty when the broker has nothing to tell. For
     * readiness pages and metrics: which region holds what, and when it moved.
     *
     * @return an immutable map, possibly empty
     */
    public Map<String, String> brokerPlacement() {
        if (brokers.zones().isEmpty()) {
            return broker.placement();
        }
        Map<String, String> all = new java.util.LinkedHashMap<>(broker.placement());
        brokers.zones().forEach((zone, b) -> b.placement().forEach((role, holder) -> all.put(zone + "/" + role, holder)));
        return java.util.Collections.unmodifiableMap(all);
    }

    /**
     * The brokers that are not connected now (the global one by its name, a zone's as
     * {@code "redis (zone eu)"}); empty when all are. Says why {@link #isReady()} is false.
     *
     * @since 0.1.0
     */
    public List<String> brokersDown() {
        return engine.brokersDown();
    }

    // ---------------------------------------------------------------- the application's operations

    /**
     * Publishes a message to a room as the application: it goes into the room's history with an
     * offset and reaches every member in every region once, in order with the members' own messages,
     * as a {@code message} frame without {@code from}. Same as {@link #publish(String, String, String)}
     * with a random message id.
     *
     * @param room     the room
     * @param jsonData the payload: one JSON value, e.g. {@code {"status":"shipped"}}
     * @return completes with the message's position in the room's history; fails with
     *         {@link BrokerUnavailableException} when the broker is unreachable (the message was not
     *         published: nothing is delivered later), or with a {@link GeoWsException} when the router
     *         refused it
     * @throws IllegalArgumentException when {@code jsonData} is not one JSON value or the room name is invalid
     * @throws IllegalStateException before {@link #start()} or after {@link #close()}
     * @since 0.2.0
     */
    public CompletableFuture<Position> publish(String room, String jsonData) {
        return publish(room, null, jsonData);
    }

    /**
     * Publishes a message to a room as the application, idempotently: a message id that was published
     * to the room before (within history's retention) is not stored or delivered again, and the future
     * completes with the position it got the first time. Retry with the same id after a failure.
     *
     * @param messageId 1-64 characters, unique per room among the application's messages; {@code null}
     *                  for a random one
     * @see #publish(String, String)
     * @since 0.2.0
     */
    public CompletableFuture<Position> publish(String room, String messageId, String jsonData) {
        return ops().publish(room, messageId, jsonData);
    }

    /**
     * Sends a message to every session of a user, in every region, as a {@code direct} frame without
     * {@code from}. Not stored: a user who is not connected does not get it.
     *
     * @return completes with the number of nodes holding a session of the user that it was handed to
     *         (0: the user is connected nowhere); fails with {@link BrokerUnavailableException}
     * @since 0.2.0
     */
    public CompletableFuture<Integer> sendToUser(String user, String jsonData) {
        return ops().sendToUser(user, jsonData);
    }

    /**
     * Sends a server-side message to every session on every node, as a {@code broadcast} frame.
     *
     * @param jsonData the payload: one JSON value
     * @return completes when the broker accepted it
     * @throws IllegalArgumentException when {@code jsonData} is not one JSON value
     */
    public CompletableFuture<Void> broadcast(String jsonData) {
        return ops().broadcast(jsonData);
    }

    /**
     * Who is in a room, in every region: one entry per user and node.
     *
     * @since 0.2.0
     */
    public CompletableFuture<List<PresenceMember>> presence(String room) {
        return ops().presence(room);
    }

    /**
     * Reads a room's history: the messages after {@code since}, oldest first, at most {@code limit}.
     * Page through with the position of the last message read.
     *
     * @param since where to read after, or {@code null} for the oldest message history keeps
     * @param limit 1 to {@link NodeLimits#maxReplay()}
     * @since 0.2.0
     */
    public CompletableFuture<RoomHistory> history(String room, Position since, int limit) {
        return ops().history(room, since, limit);
    }

    /**
     * Erases a user (the right to be forgotten): removes every message the user sent from the history
     * of every room, in every residency zone (through a node of each zone, found in the node
     * directory), and closes the user's sessions everywhere with {@link CloseCodes#FOR_GOOD}, which
     * takes their presence with them. Nodes forget the recent messages they keep for resumes, so no
     * resume in any region returns an erased message; other messages keep their offsets. Messages
     * the user sends after the call are not erased: stop accepting the user's tokens first.
     *
     * @return completes with what was removed per zone, and where it failed (a zone without a live
     *         node, a broker that cannot remove messages)
     * @since 0.1.0
     */
    public CompletableFuture<ErasureReport> eraseUser(String user) {
        return ops().eraseUser(user);
    }

    /**
     * Closes every session of a user, on every node in every region, with a close code (after a ban,
     * a password change). A session that connects after the order reached its node is not affected:
     * refuse the user's tokens too.
     *
     * @param code   {@link CloseCodes#RECONNECT} (4100-4499: the client may connect again) or
     *               {@link CloseCodes#FOR_GOOD} (4500-4999: it does not)
     * @param reason a short reason sent in the close frame (at most 100 characters)
     * @return completes when the order is on its way to every node
     * @throws IllegalArgumentException for a code outside 4100-4999
     * @since 0.2.0
     */
    public CompletableFuture<Void> disconnectUser(String user, int code, String reason) {
        return ops().disconnectUser(user, code, reason);
    }

    /**
     * Closes one session, wherever it is (its id is {@link SessionInfo#sessionId()}).
     *
     * @see #disconnectUser(String, int, String)
     * @since 0.2.0
     */
    public CompletableFuture<Void> disconnectSession(String sessionId, int code, String reason) {
        return ops().disconnectSession(sessionId, code, reason);
    }

    /**
     * Listens to a room's messages from every region, from now on, e.g. to store or moderate them (see
     * {@link RoomListener}). The node subscribes the room as it would for a member, until the
     * registration is closed.
     *
     * @return completes once messages flow to the listener; fails with
     *         {@link BrokerUnavailableException} when the broker is unreachable
     * @since 0.2.0
     */
    public CompletableFuture<Registration> listen(String room, RoomListener listener) {
        return ops().listen(room, listener);
    }

    private io.geows.internal.ServerOps ops() {
        synchronized (lifecycle) {
            if (!started || closed) {
                throw new IllegalStateException("node " + nodeId + " is " + (closed ? "closed" : "not started"));
            }
        }
        return engine.ops();
    }

    /**
     * Closes the node gracefully: readiness turns false, every client gets {@code goaway} naming
     * another region, clients get up to the drain timeout to leave, the rest are closed with 1001,
     * then the node leaves the directory and closes its broker adapter. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (transport != null) {
            engine.beginDrain(Duration.ofSeconds(1));
            long deadline = System.nanoTime() + drainTimeout.toNanos();
            // Clients that honour goaway disconnect by themselves; wait for them, not for the clock.
            while (engine.stats().sessions() > 0 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        closeQuietly();
        log.info("geows node {} closed", nodeId);
    }

    private void closeQuietly() {
        if (transport != null) {
            transport.stop(Duration.ofSeconds(1));
        }
        engine.shutdown(Duration.ofSeconds(1));
        brokers.zones().values().forEach(BrokerAdapter::close);
        broker.close();
        scheduler.shutdownNow();
        // The node's own hook pool is not shut down: the last disconnect events are queued as the
        // transport's threads notice closed connections, which may be after this. Its threads are
        // daemons and end 10 s after the last hook ran.
    }

    @Override
    public String toString() {
        return "GeoWsNode[" + nodeId + " in " + region + "]";
    }

    /** Builds a {@link GeoWsNode}. Not thread-safe. */
    public static final class Builder {
        private String region;
        private String nodeId;
        private String host = DEFAULT_HOST;
        private int port = 0;
        private String publicUrl;
        private BrokerAdapter broker;
        private final Map<String, BrokerAdapter> zoneBrokers = new java.util.LinkedHashMap<>();
        private Residency residency = Residency.none();
        private Retention retention = Retention.none();
        private SessionRegistry registry;
        private Router router;
        private Authenticator authenticator;
        private RoomAuthorizer authorizer = RoomAuthorizer.fromClaims();
        private InterRegionKeys interRegionKeys = InterRegionKeys.none();
        private java.util.Collection<String> allowedOrigins = java.util.List.of();
        private ServerTls tls;
        private NodeLimits limits = NodeLimits.defaults();
        private String topicPrefix = Topics.DEFAULT_PREFIX;
        private Duration presenceTtl = DEFAULT_PRESENCE_TTL;
        private PresencePolicy presence = PresencePolicy.defaults();
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private NodeObserver observer = NodeObserver.NONE;
        private final java.util.List<ConnectionListener> connectionListeners = new java.util.ArrayList<>();
        private java.util.concurrent.Executor hookExecutor;
        private PublishInterceptor interceptor;
        private final java.util.Map<String, RpcHandler> rpcMethods = new java.util.LinkedHashMap<>();
        private Duration hookTimeout = DEFAULT_HOOK_TIMEOUT;

        private Builder() {
        }

        /** Adds a listener told of every session that connects to or disconnects from this node. */
        public Builder connectionListener(ConnectionListener listener) {
            connectionListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Decides on every message clients publish, before it is accepted; default: none (all accepted). */
        public Builder publishInterceptor(PublishInterceptor interceptor) {
            this.interceptor = Objects.requireNonNull(interceptor, "interceptor");
            return this;
        }

        /**
         * Answers clients' {@code rpc} calls of {@code method} with {@code handler}.
         *
         * @param method 1-128 characters
         * @throws IllegalArgumentException when a handler for the method was registered already
         */
        public Builder rpc(String method, RpcHandler handler) {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(handler, "handler");
            if (method.isEmpty() || method.length() > 128) {
                throw new IllegalArgumentException("rpc method name must be 1-128 characters: '" + method + "'");
            }
            if (rpcMethods.putIfAbsent(method, handler) != null) {
                throw new IllegalArgumentException("rpc method '" + method + "' has a handler already");
            }
            return this;
        }

        /**
         * Where the application's hooks run (connection listeners, the publish interceptor, RPC handlers,
         * room listeners); never on the node's network threads. Default: a pool of daemon threads of the
         * node's own (at least 4). The node does not shut down an executor given here.
         */
        public Builder hookExecutor(java.util.concurrent.Executor executor) {
            this.hookExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * How long a hook may take to answer; default {@link GeoWsNode#DEFAULT_HOOK_TIMEOUT}:
         * a publish interceptor or RPC handler that does not answer in time fails the client's request with
         * {@code timeout}; a connection listener that takes longer is logged as slow.
         */
        public Builder hookTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("hookTimeout must be positive, was " + timeout);
            }
            this.hookTimeout = timeout;
            return this;
        }

        /** Hooks for metrics: told of every frame received and every delivery. Default: none. */
        public Builder observer(NodeObserver observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        /** The region this node serves, e.g. {@code "eu-west"}. Required. */
        public Builder region(String region) {
            this.region = token("region", region);
            return this;
        }

        /** The node id; default: the region plus a random suffix. */
        public Builder nodeId(String nodeId) {
            this.nodeId = token("nodeId", nodeId);
            return this;
        }

        /** The address to bind; default {@value GeoWsNode#DEFAULT_HOST}. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port to bind, 0 (the default) for any free port. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0-65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** The WebSocket URL clients should use to reach this node from outside (told in goaway). */
        public Builder publicUrl(String publicUrl) {
            this.publicUrl = publicUrl;
            return this;
        }

        /**
         * This node's broker connection; the node owns and closes it. Default: a private
         * {@link InMemoryBroker} (a single node that talks to no one).
         */
        public Builder broker(BrokerAdapter broker) {
            this.broker = Objects.requireNonNull(broker, "broker");
            return this;
        }

        /**
         * Data-residency rules: rooms pinned to zones of regions. Every node of a deployment gets the
         * same rules; a node gives each zone its region belongs to a broker of that zone
         * ({@link #zoneBroker}). Default: none, every room is global.
         *
         * @since 0.1.0
         */
        public Builder residency(Residency residency) {
            this.residency = Objects.requireNonNull(residency, "residency");
            return this;
        }

        /**
         * How long rooms' history is kept, per room pattern: applied by every broker of the node
         * (the global one and each zone's). Every node of a deployment gets the same rules. Default:
         * none, each adapter's own bounds.
         *
         * @throws UnsupportedOperationException from {@link #build()} when an adapter cannot apply rules
         * @since 0.1.0
         */
        public Builder retention(Retention retention) {
            this.retention = Objects.requireNonNull(retention, "retention");
            return this;
        }

        /**
         * The broker that carries a zone's rooms (live messages, history, room presence); the node
         * owns and closes it. Only for zones this node's region belongs to: a node outside a zone
         * holds no connection to its broker. The {@link #broker global broker} carries the rest.
         *
         * @since 0.1.0
         */
        public Builder zoneBroker(String zone, BrokerAdapter broker) {
            Objects.requireNonNull(zone, "zone");
            if (zoneBrokers.put(zone, Objects.requireNonNull(broker, "broker")) != null) {
                throw new IllegalArgumentException("zone '" + zone + "' was given a broker twice");
            }
            return this;
        }

        /** The session registry; default: concurrent maps. */
        public Builder registry(SessionRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * The router; default {@link Router#defaults()}: room topic for room messages, the recipient's
         * nodes for direct ones. A router of one's own adds its rules and delegates the rest to
         * {@link Router#defaults()}; see {@link Router} for the contract.
         */
        public Builder router(Router router) {
            this.router = Objects.requireNonNull(router, "router");
            return this;
        }

        /**
         * How {@code hello} tokens are checked. Required: e.g. a {@link io.geows.auth.JwtAuthenticator},
         * or {@link Authenticator#insecureTokenAsUserId()} for demos (a warning is logged at start).
         */
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        /**
         * Who may join, publish to and query which rooms; default {@link RoomAuthorizer#fromClaims()}
         * (the token's {@code rooms} claim).
         */
        public Builder roomAuthorizer(RoomAuthorizer authorizer) {
            this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
            return this;
        }

        /**
         * The keys broker messages are signed and checked with; default {@link InterRegionKeys#none()}
         * (unsigned: a warning is logged at start with a shared broker). All nodes must hold the same keys.
         */
        public Builder interRegionKeys(InterRegionKeys keys) {
            this.interRegionKeys = Objects.requireNonNull(keys, "keys");
            return this;
        }

        /**
         * The browser page origins allowed to connect, e.g. {@code "https://chat.example.com"}; a
         * connection whose {@code Origin} header is not listed is closed with
         * {@link CloseCodes#ORIGIN_NOT_ALLOWED}. Connections without an {@code Origin} (not from a
         * browser) are allowed. Default: empty, every origin is allowed (tokens, not cookies,
         * authenticate, so a foreign page cannot act for a user without their token).
         */
        public Builder allowedOrigins(java.util.Collection<String> origins) {
            for (String o : origins) {
                Objects.requireNonNull(o, "origin");
            }
            this.allowedOrigins = java.util.List.copyOf(origins);
            return this;
        }

        /** Serve {@code wss://} with this key material; default: plain {@code ws://}. */
        public Builder tls(ServerTls tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** Limits on sessions; default {@link NodeLimits#defaults()}. */
        public Builder limits(NodeLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** The broker topic prefix; default {@value Topics#DEFAULT_PREFIX}. All nodes of a cluster must agree. */
        public Builder topicPrefix(String prefix) {
            Topics.withPrefix(prefix); // validates
            this.topicPrefix = prefix;
            return this;
        }

        /**
         * How rooms' members hear about each other: per room, each change at once, coalesced diffs,
         * a member count, or nothing; default {@link PresencePolicy#defaults()} (diffs every 100 ms,
         * a count above 200 members). All nodes of a cluster should use the same policy.
         */
        public Builder presence(PresencePolicy policy) {
            this.presence = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** How long presence entries outlive the node's last heartbeat; default 15 s. */
        public Builder presenceTtl(Duration ttl) {
            Objects.requireNonNull(ttl, "ttl");
            if (ttl.toMillis() < 150) {
                throw new IllegalArgumentException("presenceTtl must be at least 150 ms, was " + ttl);
            }
            this.presenceTtl = ttl;
            return this;
        }

        /** How long {@link GeoWsNode#close()} waits for clients to leave after goaway; default 5 s. */
        public Builder drainTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("drainTimeout must not be negative, was " + timeout);
            }
            this.drainTimeout = timeout;
            return this;
        }

        /**
         * Builds the node (not started).
         *
         * @throws IllegalStateException when the region or the authenticator is missing
         * @throws IllegalArgumentException when the residency rules do not fit this node: its region
         *                                  not declared, a zone of its region without a broker, or a
         *                                  broker for a zone it is outside of
         */
        public GeoWsNode build() {
            if (region == null) {
                throw new IllegalStateException("region is required: GeoWsNode.builder().region(\"eu-west\")");
            }
            if (authenticator == null) {
                throw new IllegalStateException("an authenticator is required: .authenticator(JwtAuthenticator.builder()...build()), "
                        + "or .authenticator(Authenticator.insecureTokenAsUserId()) for demos");
            }
            residency.checkNode(region, zoneBrokers.keySet());
            return new GeoWsNode(this);
        }

        private static String token(String what, String value) {
            Objects.requireNonNull(value, what);
            if (!value.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new IllegalArgumentException(what + " '" + value
                        + "' must be 1-64 letters, digits, '.', '_' or '-'");
            }
            return value;
        }
    }
}
