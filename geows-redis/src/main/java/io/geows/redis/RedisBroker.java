package io.geows.redis;

import io.geows.BrokerUnavailableException;
import io.geows.GeoWsException;
import io.geows.Topics;
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
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BrokerAdapter} on Redis: Pub/Sub between nodes, room history in Streams (appended and
 * published by one Lua script), presence in sets. One connection for subscriptions, one for
 * everything else (Lettuce pipelines the commands of all callers on it).
 *
 * <pre>{@code
 * GeoWsNode node = GeoWsNode.builder()
 *         .region("eu-west")
 *         .authenticator(jwtAuthenticator)
 *         .interRegionKeys(interRegionKeys)
 *         .broker(RedisBroker.connect("redis://user:secret@redis.eu.internal:6379"))
 *         .build().start();
 * }</pre>
 *
 * <p><b>TLS and credentials.</b> {@code rediss://} connects over TLS and verifies the server's
 * certificate: it must chain to a trusted CA (the JDK's, or a private one given with
 * {@link Builder#trustedCertificates(Path)} or {@link Builder#trustStore(Path, char[])}) and name the
 * host of the URI (host name verification is on unless the URI turns it off with
 * {@code verifyPeer}). An ACL user and password go in the URI
 * ({@code rediss://user:password@host:port}) or in {@link Builder#credentials(String, char[])}:
 * <pre>{@code
 * RedisBroker broker = RedisBroker.builder()
 *         .uri("rediss://redis.eu.internal:6380")
 *         .credentials("geows", secretFromVault)
 *         .trustedCertificates(Path.of("/etc/geows/redis-ca.pem"))
 *         .build();
 * }</pre>
 * A refused login or a failed TLS handshake fails {@link Builder#build()} with a
 * {@link GeoWsException} that says so and names the address (never the password); neither is retried.
 *
 * <p><b>Self-checking subscriptions.</b> Every {@linkplain Builder#checkInterval check interval}
 * (and at once after a reconnect) the adapter asks Redis how many channels its subscription
 * connection holds ({@code CLIENT INFO}) and compares that with the channels it should hold, then
 * sends a canary message to itself through Redis. If either check fails the adapter reports
 * {@link BrokerEvent#LOST} (the node turns not-ready), subscribes again, and reports
 * {@link BrokerEvent#RESTORED} only once both checks pass. Messages received between the two events
 * are held back and delivered after {@code RESTORED}, as the SPI requires.
 *
 * <p>Threading: thread-safe. Messages are delivered on Lettuce's I/O thread of the subscription
 * connection, in the order Redis sent them; events on that thread or the adapter's check thread;
 * never two at once. Listeners must return quickly.
 *
 * @since 0.1.0
 */
public final class RedisBroker implements BrokerAdapter {
    private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);

    /** Messages kept per room: {@value}. */
    public static final int DEFAULT_HISTORY_SIZE = 10_000;
    /** How long a room's history lives without new messages: one hour. */
    public static final Duration DEFAULT_HISTORY_TTL = Duration.ofHours(1);
    /** How often subscriptions are verified: one second. */
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(1);
    /** How long a command may take before it counts as failed: five seconds. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);
    /** How long an append waits for its replicas ({@link Builder#replicasToAck}): 2 seconds. @since 0.2.0 */
    public static final Duration DEFAULT_REPLICA_ACK_TIMEOUT = Duration.ofSeconds(2);

    private final String address;
    private final String name;
    private final ClientResources ownedResources;
    private final Duration commandTimeout;
    private final RedisLink link;
    private final ScheduledExecutorService checker;
    private final BrokerEventListeners events = new BrokerEventListeners();
    private final History history;
    private final Presence presence;
    private final RedisProbe probe;

    /**
     * Orders deliveries against LOST / RESTORED (and guards {@code held}). Never held while calling
     * anything that takes the node's locks except the listeners themselves, and never taken by
     * {@link #subscribe} or {@link #isConnected}: nodes call those while holding their own locks.
     */
    private final Object lock = new Object();
    /** Guards compound changes of {@code subscriptions}. */
    private final Object subsLock = new Object();
    /** Guarded by lock. */
    private final Map<String, List<Sub>> subscriptions = new ConcurrentHashMap<>();
    private long subscriptionChanges;
    private volatile boolean connected;
    private List<BrokerMessage> held = new ArrayList<>();
    private volatile boolean closed;
    private final RedisPrimary primary;
    private volatile boolean lostLogged;
    /** Appends acknowledged once replicas have them, or {@code null} (acknowledged by the primary). */
    final DurableAppends durable;
    /** The Lua scripts sent on the command connection since it was last lost (see {@link Scripts}). */
    final Scripts.Loaded scriptsSent = new Scripts.Loaded();

    private RedisBroker(Builder b) {
        RedisURI uri = b.uri != null ? RedisUris.withTimeouts(RedisSecurity.withCredentials(RedisURI.create(b.uri), b.username, b.password),
                b.uri, b.commandTimeout) : null;
        this.address = b.cluster ? "redis-cluster " + io.geows.spi.BrokerUrls.redact(String.valueOf(b.clusterSeeds)) : uri == null ? "(your RedisClient)" : RedisUris.describe(uri);
        this.name = b.name != null ? b.name : "redis";
        this.primary = new RedisPrimary(address);
        this.commandTimeout = b.commandTimeout;
        // Lettuce reads and writes on the node's I/O threads: a room message and the socket writes it
        // causes run on one thread (see IoThreads).
        this.ownedResources = b.resources != null || b.client != null ? null : DefaultClientResources.builder()
                .eventLoopGroupProvider(SharedLoops.PROVIDER)
                .computationThreadPoolSize(2)
                // Come back quickly after a restart or a Sentinel failover: 50 ms, doubling, at most 1 s,
                // jittered (a promotion is found at the next attempt after it: 0.5 s later on average).
                .reconnectDelay(Delay.fullJitter(Duration.ofMillis(50), Duration.ofSeconds(1), 50, TimeUnit.MILLISECONDS))
                .build();
        ClientResources resources = b.resources != null ? b.resources : ownedResources;
        Topics topics = Topics.withPrefix(b.topicPrefix);
        this.durable = b.replicasToAck > 0 ? new DurableAppends(this, b.replicasToAck, b.replicaAckTimeout) : null;
        this.history = new RedisHistory(this, topics, b.historySize, b.historyTtl.toMillis(), b.cluster);
        this.presence = new RedisPresence(this, topics);
        this.probe = new RedisProbe(b.topicPrefix + ".canary." + UUID.randomUUID(), commandTimeout, () -> closed);
        this.checker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "geows-redis-check-" + name));
        SslOptions ssl = RedisSecurity.sslOptions(b.trustedCertificates, b.trustStore, b.trustStorePassword);
        try {
            if (b.cluster) {
                List<RedisURI> seeds = b.clusterSeeds.stream()
                        .map(u -> RedisSecurity.withCredentials(RedisURI.create(u), b.username, b.password)).toList();
                RedisSecurity.warnIfHostUnverified(seeds.get(0), address);
                this.link = new RedisLink.Cluster(resources, seeds, commandTimeout, ssl, this::onMessage);
                scriptsSent.bySlot(true);
            } else if (b.client != null) {
                b.client.addListener(primary.listener(uri));
                this.link = new RedisLink.Standalone(b.client, false, uri, commandTimeout, null, b.replicasToAck > 0,
                        this::onMessage);
            } else {
                RedisSecurity.warnIfHostUnverified(uri, address);
                RedisClient client = RedisClient.create(resources, uri);
                client.addListener(primary.listener(uri)); // before the first connection, to see where it goes
                this.link = new RedisLink.Standalone(client, true, uri, commandTimeout, ssl, b.replicasToAck > 0,
                        this::onMessage);
            }
        } catch (RuntimeException e) {
            checker.shutdownNow();
            if (ownedResources != null) {
                ownedResources.shutdown(0, 2, TimeUnit.SECONDS);
            }
            throw unreachable(e);
        }
        RedisConnectionStateListener state = new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(io.lettuce.core.RedisChannelHandler<?, ?> connection) {
                markLost("connection closed");
            }

            @Override
            public void onRedisConnected(io.lettuce.core.RedisChannelHandler<?, ?> connection, SocketAddress address) {
                checker.execute(RedisBroker.this::check);
            }
        };
        link.addStateListener(state);
        try {
            link.subscribe(probe.channel()).get(commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            shutdownQuietly();
            throw unreachable(e);
        }
        check();
        if (!isConnected()) {
            shutdownQuietly();
            throw new GeoWsException("connected to Redis at " + address + " but its subscriptions could not be verified"
                    + " - is CLIENT INFO or PUBLISH refused by an ACL?");
        }
        long period = b.checkInterval.toMillis();
        checker.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private GeoWsException unreachable(Throwable e) {
        return RedisSecurity.connectFailure(address, e);
    }

    /**
     * {@code {"primary": "host:port"}}: the server the adapter's connections reached last (behind
     * Sentinel, the current primary); empty for Redis Cluster.
     */
    @Override
    public Map<String, String> placement() {
        return primary.placement();
    }

    /** Connects to Redis at a URI ({@code redis://}, {@code rediss://}, with user and password). */
    public static RedisBroker connect(String uri) {
        return builder().uri(uri).build();
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ state and self-check

    private void markLost(String why) {
        scriptsSent.clear(); // a new connection (or a restarted Redis) may not know them
        synchronized (lock) {
            if (!connected || closed) {
                return;
            }
            connected = false;
            held = new ArrayList<>();
            emit(BrokerEvent.LOST);
        }
        if (!lostLogged) {
            lostLogged = true;
            log.warn("Redis at {} lost ({}); reconnecting", address, why);
        }
    }

    private void markRestored() {
        synchronized (lock) {
            if (connected || closed) {
                return;
            }
            // Connected before the event (the node reads history while handling it), but still under
            // the lock: RESTORED first, then what arrived while we were verifying, then live messages
            // once the lock is released. The node must hear of the restore before anything after it.
            connected = true;
            List<BrokerMessage> waiting = held;
            held = null;
            emit(BrokerEvent.RESTORED);
            for (BrokerMessage m : waiting) {
                deliver(m);
            }
        }
        if (lostLogged) {
            lostLogged = false;
            log.info("Redis at {} is back; subscriptions verified", address);
        }
    }

    private void emit(BrokerEvent event) {
        events.emit(event);
    }

    /** Verifies the subscriptions; runs on the checker thread only. */
    private void check() {
        if (closed) {
            return;
        }
        if (!link.isOpen()) {
            markLost("connection closed");
            return;
        }
        try {
            long version;
            String[] expected;
            synchronized (subsLock) {
                version = subscriptionChanges;
                expected = subscriptions.keySet().toArray(String[]::new);
            }
            long reported = probe.reportedSubscriptions(link);
            if (reported >= 0 && reported != expected.length + 1) {
                synchronized (subsLock) {
                    if (version != subscriptionChanges) {
                        return; // subscriptions changed while we asked: judge on the next round
                    }
                }
                markLost("Redis reports " + reported + " subscribed channels, expected " + (expected.length + 1));
                log.warn("Redis at {}: subscriptions differ (Redis has {}, this node needs {}); subscribing again",
                        address, reported, expected.length + 1);
                List<String> all = new ArrayList<>(List.of(expected));
                all.add(probe.channel());
                link.subscribe(all.toArray(String[]::new)).get(commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
                return; // verify again on the next round
            }
            if (link.sharded() && !connected) {
                // After a reconnect Lettuce re-subscribes shard channels in one SSUBSCRIBE per connection,
                // which Redis refuses when they hash to several slots (CROSSSLOT): subscribe each again here.
                List<String> all = new ArrayList<>(List.of(expected));
                all.add(probe.channel());
                link.subscribe(all.toArray(String[]::new)).get(commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            probe.roundTrip(link);
            markRestored();
        } catch (Exception e) {
            markLost(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private void onMessage(String channel, byte[] message) {
        if (probe.isCanary(channel, message)) {
            return;
        }
        BrokerMessage m = Framing.decode(channel, message);
        // Delivered on Lettuce's I/O thread, in the order Redis sent them (no hand-off: a thread
        // switch per message costs more than the node's work on it). The lock orders messages
        // against LOST / RESTORED.
        synchronized (lock) {
            if (!connected) {
                if (held != null) {
                    held.add(m);
                }
                return;
            }
            deliver(m);
        }
    }

    /** Caller holds the lock. */
    private void deliver(BrokerMessage m) {
        List<Sub> subs = subscriptions.get(m.topic());
        if (subs == null) {
            return;
        }
        for (Sub s : subs) {
            try {
                s.listener.onMessage(m);
            } catch (RuntimeException e) {
                log.warn("listener of {} failed", m.topic(), e);
            }
        }
    }

    // ------------------------------------------------------------------ BrokerAdapter

    /** Runs commands on the command connection, mapping connection failures to {@link BrokerUnavailableException}. */
    <T> CompletableFuture<T> call(Function<RedisClusterAsyncCommands<String, byte[]>, CompletableFuture<T>> op) {
        return call(op, false);
    }

    /** Runs commands on the append connection ({@link RedisLink#appendCommands()}). */
    <T> CompletableFuture<T> callAppend(Function<RedisClusterAsyncCommands<String, byte[]>, CompletableFuture<T>> op) {
        return call(op, true);
    }

    private <T> CompletableFuture<T> call(Function<RedisClusterAsyncCommands<String, byte[]>, CompletableFuture<T>> op,
                                          boolean append) {
        if (!isConnected()) {
            return CompletableFuture.failedFuture(BrokerUnavailableException.disconnected("redis " + address));
        }
        CompletableFuture<T> f;
        try {
            f = op.apply(append ? link.appendCommands() : link.commands());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(translate(e));
        }
        return f.handle((v, err) -> {
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (!(cause instanceof io.lettuce.core.RedisCommandTimeoutException)) {
                probe.commandAnswered(); // an answer (an error reply too); Lettuce giving up is none
            }
            if (err != null) {
                throw new CompletionException(translate(err));
            }
            return v;
        });
    }

    private RuntimeException translate(Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause instanceof GeoWsException g) {
            return g;
        }
        if (cause instanceof RedisCommandExecutionException) {
            return new GeoWsException("Redis at " + address + " refused a command: " + cause.getMessage(), cause);
        }
        return new BrokerUnavailableException("Redis at " + address + " is unavailable: " + cause.getMessage(), cause);
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload) {
        return call(c -> link.publish(c, topic, payload).thenApply(n -> null));
    }

    @Override
    public CompletableFuture<Subscription> subscribe(String topic, BrokerListener listener) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(listener, "listener");
        Sub sub = new Sub(topic, listener);
        boolean first;
        synchronized (subsLock) {
            List<Sub> list = subscriptions.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>());
            first = list.isEmpty();
            list.add(sub);
            subscriptionChanges++;
        }
        if (!first) {
            return CompletableFuture.completedFuture(sub);
        }
        if (!isConnected()) {
            sub.close();
            return CompletableFuture.failedFuture(BrokerUnavailableException.disconnected("redis " + address));
        }
        return link.subscribe(topic).handle((v, err) -> {
            if (err != null) {
                sub.close();
                throw new CompletionException(translate(err));
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

    @Override
    public boolean isConnected() {
        return connected && !closed;
    }

    @Override
    public void addListener(BrokerEventListener listener) {
        events.add(listener);
    }

    @Override
    public String name() {
        return "redis";
    }

    /** The Redis address, {@code redis://host:port} (without credentials). */
    public String address() {
        return address;
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        shutdownQuietly();
    }

    private void shutdownQuietly() {
        checker.shutdownNow();
        if (link != null) {
            link.close();
        }
        if (ownedResources != null) {
            ownedResources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    /** For tests: drops a channel subscription behind the adapter's back (the bug self-checks catch). */
    void dropSubscriptionSilently(String topic) throws InterruptedException, ExecutionException, TimeoutException {
        link.pubsub().unsubscribe(topic).get(commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public String toString() {
        return "RedisBroker[" + address + ", " + name + "]";
    }

    private final class Sub implements Subscription {
        final String topic;
        final BrokerListener listener;
        private boolean closedSub;

        Sub(String topic, BrokerListener listener) {
            this.topic = topic;
            this.listener = listener;
        }

        @Override
        public String topic() {
            return topic;
        }

        @Override
        public void close() {
            boolean last;
            synchronized (subsLock) {
                if (closedSub) {
                    return;
                }
                closedSub = true;
                List<Sub> list = subscriptions.get(topic);
                if (list == null || !list.remove(this)) {
                    return;
                }
                last = list.isEmpty();
                if (last) {
                    subscriptions.remove(topic);
                }
                subscriptionChanges++;
            }
            if (last && !closed && link.isOpen()) {
                link.unsubscribe(topic);
            }
        }
    }

    /** Builds a {@link RedisBroker}. Not thread-safe. */
    public static final class Builder {
        private String uri;
        private boolean cluster;
        private List<String> clusterSeeds = List.of();
        private RedisClient client;
        private ClientResources resources;
        private String name;
        private String topicPrefix = Topics.DEFAULT_PREFIX;
        private int historySize = DEFAULT_HISTORY_SIZE;
        private Duration historyTtl = DEFAULT_HISTORY_TTL;
        private Duration checkInterval = DEFAULT_CHECK_INTERVAL;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private Path trustedCertificates;
        private Path trustStore;
        private char[] trustStorePassword;
        private String username;
        private char[] password;
        private int replicasToAck;
        private Duration replicaAckTimeout = DEFAULT_REPLICA_ACK_TIMEOUT;

        private Builder() {
        }

        /**
         * The Redis URI: {@code redis://[user:password@]host:port[/db]}, or {@code rediss://} for TLS
         * (the server's certificate is verified, host name included), or
         * {@code redis-sentinel://sentinel1:26379,sentinel2:26379#primaryName} for a primary that Redis
         * Sentinel watches: the adapter asks the Sentinels for the primary at every (re)connect, so it
         * follows a failover. Characters of the user or password that have a meaning in URIs must be
         * percent-encoded; or use {@link #credentials(String, char[])}.
         */
        public Builder uri(String uri) {
            Objects.requireNonNull(uri, "uri");
            if (!uri.startsWith("redis://") && !uri.startsWith("rediss://") && !uri.startsWith("redis-sentinel://")
                    && !uri.startsWith("rediss-sentinel://")) {
                throw new IllegalArgumentException("Redis URI '" + io.geows.spi.BrokerUrls.redact(uri)
                        + "' must start with redis://, rediss:// or redis-sentinel:// (e.g. redis://127.0.0.1:6379)");
            }
            this.uri = uri;
            return this;
        }

        /**
         * Connects to a Redis Cluster (Redis 7 or later) through any of its nodes, and uses sharded
         * Pub/Sub ({@code SSUBSCRIBE} / {@code SPUBLISH}): each room's channel lives on the shard that
         * holds the room's history, so a deployment that outgrows one Redis spreads rooms over shards.
         *
         * @param seedUris one or more {@code redis://host:port} of cluster nodes
         */
        public Builder cluster(String... seedUris) {
            if (seedUris.length == 0) {
                throw new IllegalArgumentException("cluster(...) needs at least one node URI, e.g. redis://10.0.0.1:7000");
            }
            for (String u : seedUris) {
                uri(u); // validates the scheme
            }
            this.uri = null;
            this.cluster = true;
            this.clusterSeeds = List.of(seedUris);
            return this;
        }

        /**
         * Uses your Lettuce client (its URI, resources and options, except that the adapter sets
         * reconnect and disconnected behaviour). The adapter does not shut it down. TLS trust and
         * credentials then come from the client's {@code ClientOptions} and URI, not from
         * {@link #trustedCertificates}, {@link #trustStore} or {@link #credentials}.
         */
        public Builder client(RedisClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /** Uses your Lettuce client resources (threads, reconnect delay). The adapter does not shut them down. */
        public Builder clientResources(ClientResources resources) {
            this.resources = Objects.requireNonNull(resources, "resources");
            return this;
        }

        /**
         * Trusts the CA certificates in this PEM file (one or more {@code -----BEGIN CERTIFICATE-----}
         * blocks) instead of the JDK's default CAs, for a Redis whose certificate comes from a private
         * CA. Needs a {@code rediss://} URI; the host name is still verified.
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
         * CAs. Needs a {@code rediss://} URI; the host name is still verified.
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
         * Logs in as this ACL user ({@code AUTH username password}), for a password that should not
         * sit in a URI. Use {@code "default"} as the user for a server with only {@code requirepass}.
         *
         * @param username the ACL user
         * @param password its password (copied)
         * @since 0.1.0
         */
        public Builder credentials(String username, char[] password) {
            this.username = Objects.requireNonNull(username, "username");
            this.password = Objects.requireNonNull(password, "password").clone();
            return this;
        }

        /** A name for thread names and logs (e.g. the node id). */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The topic and key prefix; default {@value Topics#DEFAULT_PREFIX}. Must match the nodes'. */
        public Builder topicPrefix(String prefix) {
            Topics.withPrefix(prefix);
            this.topicPrefix = prefix;
            return this;
        }

        /** Messages kept per room (approximately: Streams trim in whole nodes); at least 1. */
        public Builder historySize(int messages) {
            if (messages < 1) {
                throw new IllegalArgumentException("historySize must be >= 1, was " + messages);
            }
            this.historySize = messages;
            return this;
        }

        /** How long a room's history lives after its last message; at least one second. */
        public Builder historyTtl(Duration ttl) {
            Objects.requireNonNull(ttl, "ttl");
            if (ttl.toMillis() < 1000) {
                throw new IllegalArgumentException("historyTtl must be at least 1s, was " + ttl);
            }
            this.historyTtl = ttl;
            return this;
        }

        /** How often subscriptions are verified; at least 50 ms. */
        public Builder checkInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.toMillis() < 50) {
                throw new IllegalArgumentException("checkInterval must be at least 50ms, was " + interval);
            }
            this.checkInterval = interval;
            return this;
        }

        /** How long a command may take; positive. */
        public Builder commandTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("commandTimeout must be positive, was " + timeout);
            }
            this.commandTimeout = timeout;
            return this;
        }

        /**
         * Acknowledge a room message only once {@code replicas} replicas of the primary hold it
         * ({@code WAIT}), and publish it to subscribers only then: with the primary in one region
         * and replicas in others (Redis Sentinel, a {@code redis-sentinel://} URI), the loss of the
         * primary's region loses no acknowledged message. Appends then take a connection of their own,
         * and one {@code WAIT} covers every append sent before it (group commit): about one round
         * trip to the nearest replica per acknowledgement. Default 0: acknowledged by the primary.
         * Not with {@link #cluster}.
         *
         * @since 0.2.0
         */
        public Builder replicasToAck(int replicas) {
            if (replicas < 0) {
                throw new IllegalArgumentException("replicasToAck must be >= 0, was " + replicas);
            }
            this.replicasToAck = replicas;
            return this;
        }

        /**
         * How long an append waits for its replicas before it fails with
         * {@link BrokerUnavailableException} (the client sends it again under the same id); default
         * {@link #DEFAULT_REPLICA_ACK_TIMEOUT}.
         *
         * @since 0.2.0
         */
        public Builder replicaAckTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("replicaAckTimeout must be positive, was " + timeout);
            }
            this.replicaAckTimeout = timeout;
            return this;
        }

        /**
         * Connects and verifies the subscriptions.
         *
         * @throws IllegalStateException when neither a URI nor a client was given, or settings
         *                               conflict (the message names both)
         * @throws GeoWsException        when Redis cannot be reached, refuses the login or fails the
         *                               TLS handshake; the message names the address and says which
         */
        public RedisBroker build() {
            if (uri == null && client == null && !cluster) {
                throw new IllegalStateException("set uri(\"redis://host:port\"), cluster(...) or client(yourRedisClient)");
            }
            if (cluster && client != null) {
                throw new IllegalStateException("cluster(...) and client(...) conflict: cluster mode makes its own RedisClusterClient");
            }
            if (cluster && replicasToAck > 0) {
                throw new IllegalStateException("cluster(...) and replicasToAck(" + replicasToAck + ") conflict: waiting for "
                        + "replicas is for one primary with replicas (Redis Sentinel)");
            }
            if (client != null && resources != null) {
                throw new IllegalStateException("client(...) and clientResources(...) conflict: a client has its resources");
            }
            if (trustedCertificates != null && trustStore != null) {
                throw new IllegalStateException("trustedCertificates(...) and trustStore(...) conflict: give one");
            }
            String trust = trustedCertificates != null ? "trustedCertificates(...)" : trustStore != null ? "trustStore(...)" : null;
            if (client != null && (trust != null || username != null)) {
                throw new IllegalStateException("client(...) and " + (trust != null ? trust : "credentials(...)")
                        + " conflict: set TLS and credentials on your client's options and URI");
            }
            List<String> uris = cluster ? clusterSeeds : uri != null ? List.of(uri) : List.of();
            for (String u : uris) {
                String shown = io.geows.spi.BrokerUrls.redact(u);
                if (trust != null && !RedisSecurity.isTls(u)) {
                    throw new IllegalStateException(trust + " needs TLS, but the URI " + shown
                            + " is redis://: use rediss://");
                }
                if (username != null && RedisSecurity.hasUserInfo(u)) {
                    throw new IllegalStateException("credentials(...) and the user info of the URI " + shown
                            + " conflict: give the credentials in one place");
                }
            }
            return new RedisBroker(this);
        }
    }
}
