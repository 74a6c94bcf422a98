package io.geows.client;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * A geows client: one logical session with the nearest healthy region that survives the loss of
 * its connection, its node or its whole region.
 *
 * <pre>{@code
 * GeoWsClient client = GeoWsClient.builder()
 *         .region("us-east", URI.create("wss://us.example.com/"))
 *         .region("eu-west", URI.create("wss://eu.example.com/"))
 *         .token("alice")
 *         .build();
 * client.connect().join();                              // nearest healthy region
 * client.join("lobby", m -> log.info("{}: {}", m.from(), m.dataJson())).join();
 * PublishAck ack = client.publish("lobby", Map.of("text", "hi")).join();
 * client.close();
 * }</pre>
 *
 * <p><b>What it does for you.</b> {@link #connect()} measures the time to open a WebSocket to each
 * region and connects to the nearest healthy one (or the {@linkplain Builder#preferredRegion
 * pinned} one). When the connection closes, errs, misses heartbeats or receives {@code goaway}, the
 * client moves to the next region of its {@link RegionPool} after a {@link Backoff} (at once for a
 * {@code goaway}), says {@code hello} again with the last position of every joined room, and the
 * node replays what was missed: each room's messages reach its {@link RoomListener} exactly once
 * and in room order; {@link RoomListener#onGap(String)} says when that was not possible. Publishes
 * not yet acknowledged are resent with the same message id (the node acknowledges a repeat without
 * delivering it twice); one answered {@code unavailable} (the node's broker is down) is resent
 * after {@link Builder#retryBackoff(Backoff) a backoff}. It never retries a refused token or an
 * unsupported protocol: it closes, and says why.
 *
 * <p><b>Threading.</b> Thread-safe; no method blocks except {@link #close()} and, briefly,
 * {@link #regions()}. The client runs on
 * one daemon thread of its own (plus Java-WebSocket's threads for the open connection). Listener
 * callbacks and the completion of every returned future run on the
 * {@linkplain Builder#listenerExecutor(Executor) listener executor} (default: one dedicated
 * daemon thread per client), one at a time and in order. Do not block on a client future inside a
 * callback: the thread that would complete it is the one blocked.
 *
 * <p><b>Failures.</b> Futures complete exceptionally with a {@link GeoWsClientException} (or a
 * subtype); invalid arguments throw {@link IllegalArgumentException} or
 * {@link NullPointerException} at once.
 *
 * @since 0.1.0
 */
public final class GeoWsClient implements AutoCloseable {
    private static final SecureRandom IDS = new SecureRandom();

    private final ClientOptions options;
    private final ClientEngine engine;

    private GeoWsClient(ClientOptions options) {
        this.options = options;
        this.engine = new ClientEngine(options, newClientId());
    }

    /**
     * A builder; a region (or {@link Builder#regionsFrom(URI)}) and a token are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Connects: learns the regions (when {@link Builder#regionsFrom(URI)} was given), measures
     * them, and tries them in the pool's order until a node says {@code welcome}. Idempotent: later
     * calls return the same outcome.
     *
     * @return completes when the first session is established; fails with a
     *         {@link ConnectFailedException} when no region answered within the connect timeout, or a
     *         {@link SessionRefusedException} when the token was refused (the client is then closed)
     */
    public CompletableFuture<Void> connect() {
        return engine.connect();
    }

    /**
     * Joins a room. The membership lasts until {@link RoomHandle#leave()} or {@link #close()},
     * across reconnects. May be called before {@link #connect()} completes: the join is sent once
     * connected. Messages start with the first one after the join.
     *
     * @param room     the room, 1-128 characters without control characters
     * @param listener receives the room's messages, presence events and gaps
     * @return completes with the handle once the node confirmed; fails with a
     *         {@link RequestRejectedException} (e.g. {@code room_limit}), or a
     *         {@link GeoWsClientException} when the room is already joined or the request timed out
     * @throws IllegalArgumentException when the room name is invalid
     * @throws NullPointerException     when an argument is null
     */
    public CompletableFuture<RoomHandle> join(String room, RoomListener listener) {
        checkRoom(room);
        Objects.requireNonNull(listener, "listener");
        return engine.session.join(room, listener);
    }

    /**
     * Leaves a room; the same as {@link RoomHandle#leave()}. Does nothing for a room not joined.
     *
     * @param room the room
     * @return completes when the node confirmed, or at once when the client is not connected
     * @throws NullPointerException when {@code room} is null
     */
    public CompletableFuture<Void> leave(String room) {
        Objects.requireNonNull(room, "room");
        return engine.session.leave(room, null);
    }

    /**
     * Publishes a message to a joined room. {@code data} is serialized with Jackson: a map, a
     * record, a bean, a number, a {@code String} (sent as a JSON string), a Jackson tree. To send
     * JSON text as it is, use {@link #publishJson(String, String)}. The client gives the message a
     * unique id and keeps it until acknowledged, resending it with the same id after a failover or
     * an {@code unavailable} answer. Cancelling the returned future withdraws the message: one not
     * yet sent is never sent; one already sent may still arrive, but is not sent again.
     *
     * @param room the room
     * @param data the payload, may be null (JSON {@code null})
     * @return completes with the node's acknowledgement; fails with a {@link QueueFullException}
     *         when {@link Builder#maxPending(int)} messages wait already, a
     *         {@link RequestRejectedException} (e.g. {@code not_member}, {@code forbidden}), or a
     *         {@link GeoWsClientException} on timeout or close
     * @throws IllegalArgumentException when the room is invalid, {@code data} cannot be serialized,
     *                                  or the frame would exceed {@link Builder#maxFrameBytes(int)}
     */
    public CompletableFuture<PublishAck> publish(String room, Object data) {
        checkRoom(room);
        return engine.session.publish(room, Frames.data(data));
    }

    /**
     * As {@link #publish(String, Object)}, with the payload given as JSON text, sent as it is.
     *
     * @param room the room
     * @param json one JSON value, e.g. {@code {"text":"hi"}}
     * @return as {@link #publish(String, Object)}
     * @throws IllegalArgumentException when {@code json} is not one JSON value, or as
     *                                  {@link #publish(String, Object)}
     */
    public CompletableFuture<PublishAck> publishJson(String room, String json) {
        checkRoom(room);
        Objects.requireNonNull(json, "json");
        return engine.session.publish(room, Frames.dataJson(json));
    }

    /**
     * Calls a method of the application on the node (an {@code rpc} frame), e.g. to ask the backend
     * for an order's status over the socket the client already has. Not deduplicated: a call sent
     * but unanswered when the session is lost fails with a {@link GeoWsClientException} instead of
     * being sent again (it may or may not have run); a call made while no session is up waits for
     * the next one.
     *
     * @param method the method, as registered on the node ({@code GeoWsNode.Builder#rpc})
     * @param data   the argument, serialized as in {@link #publish(String, Object)}; {@code null} for JSON null
     * @return completes with the handler's result; fails with a {@link RequestRejectedException}
     *         whose code is the application's ({@code app.<code>}, see
     *         {@link RequestRejectedException#isApplicationError()}), {@code unknown_method},
     *         {@code timeout} or {@code handler_failed}, or as {@link #publish(String, Object)}
     * @throws IllegalArgumentException when {@code method} is empty or longer than 128 characters,
     *                                  or {@code data} cannot be serialized
     * @since 0.2.0
     */
    public CompletableFuture<RpcResult> rpc(String method, Object data) {
        Objects.requireNonNull(method, "method");
        if (method.isEmpty() || method.length() > 128) {
            throw new IllegalArgumentException("rpc method must be 1-128 characters: '" + method + "'");
        }
        return engine.session.rpc(method, data == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance()
                : Frames.data(data));
    }

    /**
     * Sends a message to every session of a user, in any region. Direct messages are not kept in
     * history and not deduplicated: one sent but unacknowledged when the session is lost fails with
     * a {@link GeoWsClientException} instead of being resent (it may or may not have arrived).
     *
     * @param user the recipient's user id
     * @param data the payload, serialized as in {@link #publish(String, Object)}
     * @return completes with the node's acknowledgement; fails with a
     *         {@link RequestRejectedException} {@code user_offline} when the user has no session,
     *         or as {@link #publish(String, Object)}
     * @throws IllegalArgumentException when {@code user} is empty or {@code data} cannot be serialized
     */
    public CompletableFuture<DirectAck> direct(String user, Object data) {
        checkUser(user);
        return engine.session.direct(user, Frames.data(data));
    }

    /**
     * As {@link #direct(String, Object)}, with the payload given as JSON text.
     *
     * @param user the recipient's user id
     * @param json one JSON value
     * @return as {@link #direct(String, Object)}
     * @throws IllegalArgumentException when {@code json} is not one JSON value
     */
    public CompletableFuture<DirectAck> directJson(String user, String json) {
        checkUser(user);
        Objects.requireNonNull(json, "json");
        return engine.session.direct(user, Frames.dataJson(json));
    }

    /**
     * Who is in a joined room, across all regions (each user once per node).
     *
     * @param room the room
     * @return completes with the members; fails with a {@link RequestRejectedException}
     *         {@code not_member} when the room is not joined
     * @throws IllegalArgumentException when the room name is invalid
     */
    public CompletableFuture<List<Member>> presence(String room) {
        checkRoom(room);
        return engine.session.presence(room);
    }

    /**
     * The connection state.
     *
     * @return the state, or {@code null} before {@link #connect()}
     */
    public ConnectionState state() {
        return engine.state();
    }

    /**
     * The region of the current session.
     *
     * @return the region name, or {@code null} while there is no session
     */
    public String region() {
        return engine.region();
    }

    /**
     * The user id the node authenticated the token as.
     *
     * @return the user id, or {@code null} before the first session
     */
    public String user() {
        return engine.user();
    }

    /**
     * The regions in the order the client would try them now (blocks briefly for the client's loop).
     *
     * @return a snapshot; empty before {@link #connect()} measured them or after {@link #close()}
     */
    public List<Region> regions() {
        return engine.regions();
    }

    /**
     * The settings this client was built with.
     *
     * @return the options, immutable
     */
    public ClientOptions options() {
        return options;
    }

    /**
     * Closes the session (WebSocket close 1000) and the client; pending futures fail with a
     * {@link GeoWsClientException}, the listener gets a {@link ConnectionState#CLOSED} event.
     * Idempotent. Waits up to 5 s for the client's loop to finish.
     */
    @Override
    public void close() {
        engine.close();
    }

    @Override
    public String toString() {
        return "GeoWsClient[" + engine.clientId + " " + state() + (region() != null ? " " + region() : "") + "]";
    }

    private static String newClientId() {
        // Message ids are this prefix plus a counter: unique per client, even for two clients of one user.
        String alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
        StringBuilder sb = new StringBuilder(10);
        for (int i = 0; i < 10; i++) {
            sb.append(alphabet.charAt(IDS.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    static void checkRoom(String room) {
        Objects.requireNonNull(room, "room");
        if (room.isEmpty() || room.length() > 128 || room.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("room name must be 1-128 characters without control characters, was '"
                    + room + "'");
        }
    }

    private static void checkUser(String user) {
        Objects.requireNonNull(user, "user");
        if (user.isEmpty()) {
            throw new IllegalArgumentException("user must not be empty");
        }
    }

    /**
     * Builds a {@link GeoWsClient} from immutable {@link ClientOptions}. Not thread-safe; may be
     * reused to build several clients (each gets its own region pool).
     *
     * @since 0.1.0
     */
    public static final class Builder {
        final Map<String, Region> regions = new LinkedHashMap<>();
        URI regionsUrl;
        String preferredRegion;
        Supplier<String> tokenSupplier;
        javax.net.ssl.SSLContext sslContext;
        private String token;
        private Supplier<String> explicitSupplier;
        ClientListener listener = new ClientListenerAdapter();
        Executor listenerExecutor;
        Supplier<? extends RegionPool> regionPool = RegionPool::nearestFirst;
        Backoff reconnectBackoff = ClientOptions.DEFAULT_RECONNECT_BACKOFF;
        Backoff retryBackoff = ClientOptions.DEFAULT_RETRY_BACKOFF;
        int maxAttempts = ClientOptions.DEFAULT_MAX_ATTEMPTS;
        Duration requestTimeout = ClientOptions.DEFAULT_REQUEST_TIMEOUT;
        Duration connectTimeout = ClientOptions.DEFAULT_CONNECT_TIMEOUT;
        Duration handshakeTimeout = ClientOptions.DEFAULT_HANDSHAKE_TIMEOUT;
        boolean measureRtt = true;
        Duration probeTimeout = ClientOptions.DEFAULT_PROBE_TIMEOUT;
        Duration heartbeatInterval = ClientOptions.DEFAULT_HEARTBEAT_INTERVAL;
        Duration heartbeatTimeout = ClientOptions.DEFAULT_HEARTBEAT_TIMEOUT;
        int maxPending = ClientOptions.DEFAULT_MAX_PENDING;
        int maxFrameBytes = ClientOptions.DEFAULT_MAX_FRAME_BYTES;

        private Builder() {
        }

        /**
         * Adds a region (call once per region). The order given is the order tried when round-trip
         * times are not measured or equal.
         *
         * @param name the region name, e.g. {@code "eu-west"}
         * @param uri  its WebSocket URI, {@code ws://} or {@code wss://}
         * @return this builder
         * @throws IllegalArgumentException when the name is blank, already added, or the URI is not a WebSocket URI
         */
        public Builder region(String name, URI uri) {
            Region r = new Region(name, uri);
            if (regions.putIfAbsent(name, r) != null) {
                throw new IllegalArgumentException("region '" + name + "' was already added with " + regions.get(name).uri());
            }
            return this;
        }

        /**
         * Learns the regions from a node's {@code /regions} endpoint when connecting (e.g.
         * {@code http://host:8080/regions}, answering
         * {@code {"regions":[{"region":"eu-west","url":"ws://...","ready":true}]}}); regions it lists
         * override those added by name, regions it says are not ready are tried last. Fetched once
         * per {@link GeoWsClient#connect()}, within the handshake timeout; when it fails, the regions
         * added by name are used (and without any, connect fails).
         *
         * @param url the HTTP URL of {@code /regions}
         * @return this builder
         * @throws IllegalArgumentException when the URL is not {@code http} or {@code https}
         */
        public Builder regionsFrom(URI url) {
            Objects.requireNonNull(url, "url");
            if (!"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme())) {
                throw new IllegalArgumentException("regionsFrom needs an http(s) URL such as http://host:8080/regions, was " + url);
            }
            this.regionsUrl = url;
            return this;
        }

        /**
         * Pins a region: connect there first whenever it is healthy, whatever the round-trip times.
         * When it fails, the client fails over like any other.
         *
         * @param name the region name
         * @return this builder
         */
        public Builder preferredRegion(String name) {
            this.preferredRegion = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * The token sent in every {@code hello}; set this or {@link #tokenSupplier(Supplier)}.
         *
         * @param token the credential (what it means is the node's authenticator)
         * @return this builder
         */
        public Builder token(String token) {
            this.token = Objects.requireNonNull(token, "token");
            return this;
        }

        /**
         * Supplies a token for every {@code hello} (e.g. a fresh short-lived JWT after each
         * reconnect); called on the client's loop thread, so it must return quickly. Set this or
         * {@link #token(String)}.
         *
         * @param supplier returns the token; must not return null
         * @return this builder
         */
        public Builder tokenSupplier(Supplier<String> supplier) {
            this.explicitSupplier = Objects.requireNonNull(supplier, "supplier");
            return this;
        }

        /**
         * Receives connection events, direct messages and broadcasts. Default: ignores them.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(ClientListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Where callbacks and future completions run. They always run one at a time and in order,
         * whatever the executor's number of threads. Default: one dedicated daemon thread per
         * client, stopped by {@link GeoWsClient#close()}; an executor given here is not shut down
         * by the client.
         *
         * @param executor the executor
         * @return this builder
         */
        public Builder listenerExecutor(Executor executor) {
            this.listenerExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Creates the region pool of each client built. Default: {@link RegionPool#nearestFirst()}.
         *
         * @param factory returns a new pool per call
         * @return this builder
         */
        public Builder regionPool(Supplier<? extends RegionPool> factory) {
            this.regionPool = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * The TLS context for {@code wss://} regions and an {@code https://} regions URL, e.g. one that
         * trusts a private CA. Host names are checked against the certificate. Default: the JVM's
         * default trust store.
         *
         * @param context the TLS context
         * @return this builder
         */
        public Builder sslContext(javax.net.ssl.SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * Trusts the certificates in this key store (PKCS12 or JKS) for {@code wss://}, instead of
         * the JVM's default trust store. Host names are checked against the certificate.
         *
         * @param file     the trust store
         * @param password its password
         * @return this builder
         * @throws IllegalArgumentException when the file cannot be read or the password is wrong
         */
        public Builder trustStore(java.nio.file.Path file, char[] password) {
            Objects.requireNonNull(file, "file");
            try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
                java.security.KeyStore ks = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
                ks.load(in, password);
                javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
                javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
                ctx.init(null, tmf.getTrustManagers(), null);
                this.sslContext = ctx;
            } catch (java.io.IOException | java.security.GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot load the trust store " + file + ": " + e.getMessage(), e);
            }
            return this;
        }

        /**
         * The wait between connection attempts after consecutive failures (none after a
         * {@code goaway}). Default: {@link ClientOptions#DEFAULT_RECONNECT_BACKOFF}.
         *
         * @param backoff the backoff
         * @return this builder
         */
        public Builder reconnectBackoff(Backoff backoff) {
            this.reconnectBackoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /**
         * The wait before resending a request the node answered {@code unavailable}. Default:
         * {@link ClientOptions#DEFAULT_RETRY_BACKOFF}.
         *
         * @param backoff the backoff
         * @return this builder
         */
        public Builder retryBackoff(Backoff backoff) {
            this.retryBackoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /**
         * How many times a request answered {@code unavailable} is sent at most (within the request
         * timeout). Default {@value ClientOptions#DEFAULT_MAX_ATTEMPTS}.
         *
         * @param attempts at least 1
         * @return this builder
         */
        public Builder maxAttempts(int attempts) {
            this.maxAttempts = atLeast("maxAttempts", attempts, 1);
            return this;
        }

        /**
         * How long a publish, direct, join, leave or presence request may wait for its answer,
         * including the time spent disconnected (checked a few times a second). Default 30 s.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive("requestTimeout", timeout);
            return this;
        }

        /**
         * How long {@link GeoWsClient#connect()} may take before it fails. Default 15 s.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        /**
         * How long one connection attempt may take, from opening the socket to {@code welcome};
         * then the next region is tried. Default 5 s.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = positive("handshakeTimeout", timeout);
            return this;
        }

        /**
         * Whether to measure round-trip times to order the regions (default {@code true}); when
         * off, regions are tried in the order given (the preferred one first).
         *
         * @param measure whether to measure
         * @return this builder
         */
        public Builder measureRtt(boolean measure) {
            this.measureRtt = measure;
            return this;
        }

        /**
         * How long one round-trip measurement may take before the region counts as unreachable.
         * Default 2 s.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder probeTimeout(Duration timeout) {
            this.probeTimeout = positive("probeTimeout", timeout);
            return this;
        }

        /**
         * How often the client pings its node. Default 5 s.
         *
         * @param interval positive
         * @return this builder
         */
        public Builder heartbeatInterval(Duration interval) {
            this.heartbeatInterval = positive("heartbeatInterval", interval);
            return this;
        }

        /**
         * After how long without any frame from the node (pongs included) the connection counts as
         * dead and the client fails over. Must be longer than the heartbeat interval. Default 15 s.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder heartbeatTimeout(Duration timeout) {
            this.heartbeatTimeout = positive("heartbeatTimeout", timeout);
            return this;
        }

        /**
         * How many publishes and direct messages may wait for an acknowledgement (queued while
         * disconnected, or in flight); one more fails at once with a {@link QueueFullException}.
         * Default {@value ClientOptions#DEFAULT_MAX_PENDING}.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxPending(int max) {
            this.maxPending = atLeast("maxPending", max, 1);
            return this;
        }

        /**
         * The largest frame the client sends, in bytes; set it to the nodes' limit. Default
         * {@value ClientOptions#DEFAULT_MAX_FRAME_BYTES}.
         *
         * @param bytes at least 1024
         * @return this builder
         */
        public Builder maxFrameBytes(int bytes) {
            this.maxFrameBytes = atLeast("maxFrameBytes", bytes, 1024);
            return this;
        }

        /**
         * Checks the settings together and builds the client (not yet connected).
         *
         * @return the client
         * @throws IllegalStateException when a required setting is missing or two settings conflict;
         *                               the message names them
         */
        public GeoWsClient build() {
            if (regions.isEmpty() && regionsUrl == null) {
                throw new IllegalStateException("no regions: add region(name, uri) or regionsFrom(url)");
            }
            if (token != null && explicitSupplier != null) {
                throw new IllegalStateException("token(...) and tokenSupplier(...) were both set; set one of them");
            }
            if (token == null && explicitSupplier == null) {
                throw new IllegalStateException("no credential: set token(...) or tokenSupplier(...)");
            }
            if (preferredRegion != null && regionsUrl == null && !regions.containsKey(preferredRegion)) {
                throw new IllegalStateException("preferredRegion '" + preferredRegion + "' is not one of the regions "
                        + regions.keySet() + "; add it with region(name, uri) or learn regions with regionsFrom(url)");
            }
            if (heartbeatTimeout.compareTo(heartbeatInterval) <= 0) {
                throw new IllegalStateException("heartbeatTimeout " + heartbeatTimeout + " must be longer than heartbeatInterval "
                        + heartbeatInterval + ", or every connection would count as dead before its first pong");
            }
            if (handshakeTimeout.compareTo(connectTimeout) > 0) {
                throw new IllegalStateException("handshakeTimeout " + handshakeTimeout + " is longer than connectTimeout "
                        + connectTimeout + "; connect() would give up before one attempt could finish");
            }
            if (probeTimeout.compareTo(connectTimeout) >= 0) {
                throw new IllegalStateException("probeTimeout " + probeTimeout + " must be shorter than connectTimeout "
                        + connectTimeout + ", or measuring the regions would use up the whole connect time");
            }
            String fixed = token;
            tokenSupplier = fixed != null ? () -> fixed : explicitSupplier;
            return new GeoWsClient(new ClientOptions(this));
        }

        private static Duration positive(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }

        private static int atLeast(String what, int value, int min) {
            if (value < min) {
                throw new IllegalArgumentException(what + " must be at least " + min + ", was " + value);
            }
            return value;
        }
    }
}
