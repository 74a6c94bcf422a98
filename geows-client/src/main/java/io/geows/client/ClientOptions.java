package io.geows.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * A client's settings, immutable; built with {@link GeoWsClient#builder()}, read with
 * {@link GeoWsClient#options()}. The {@code DEFAULT_*} constants are what the builder starts from.
 *
 * <p>Threading: immutable, safe to share.
 *
 * @since 0.1.0
 */
public final class ClientOptions {
    /** Reconnect backoff: full jitter from 100 ms, doubling up to 5 s. */
    public static final Backoff DEFAULT_RECONNECT_BACKOFF = Backoff.fullJitter(Duration.ofMillis(100), Duration.ofSeconds(5));
    /** Backoff before resending a publish the node answered {@code unavailable}: full jitter from 200 ms up to 5 s. */
    public static final Backoff DEFAULT_RETRY_BACKOFF = Backoff.fullJitter(Duration.ofMillis(200), Duration.ofSeconds(5));
    /** How many times a request answered {@code unavailable} is sent at most: {@value}. */
    public static final int DEFAULT_MAX_ATTEMPTS = 20;
    /** How long a publish, direct, join, leave or presence request may wait for its answer: 30 seconds. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** How long {@link GeoWsClient#connect()} may take before it fails: 15 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(15);
    /** How long one connection attempt may take, from opening the socket to {@code welcome}: 5 seconds. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
    /** How long the round-trip measurement of a region may take before it counts as unreachable: 2 seconds. */
    public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofSeconds(2);
    /** How often the client pings its node: every 5 seconds. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);
    /** After how long without any frame from the node the connection counts as dead: 15 seconds. */
    public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(15);
    /** How many publishes and direct messages may wait for an acknowledgement: {@value}. */
    public static final int DEFAULT_MAX_PENDING = 1000;
    /** The largest frame the client sends, in bytes (the node's default limit): {@value}. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 64 * 1024;

    private final List<Region> regions;
    private final URI regionsUrl;
    private final String preferredRegion;
    private final Supplier<String> tokenSupplier;
    private final javax.net.ssl.SSLContext sslContext;
    private final ClientListener listener;
    private final Executor listenerExecutor;
    private final Supplier<? extends RegionPool> regionPool;
    private final Backoff reconnectBackoff;
    private final Backoff retryBackoff;
    private final int maxAttempts;
    private final Duration requestTimeout;
    private final Duration connectTimeout;
    private final Duration handshakeTimeout;
    private final boolean measureRtt;
    private final Duration probeTimeout;
    private final Duration heartbeatInterval;
    private final Duration heartbeatTimeout;
    private final int maxPending;
    private final int maxFrameBytes;

    ClientOptions(GeoWsClient.Builder b) {
        this.regions = List.copyOf(b.regions.values());
        this.regionsUrl = b.regionsUrl;
        this.preferredRegion = b.preferredRegion;
        this.tokenSupplier = b.tokenSupplier;
        this.sslContext = b.sslContext;
        this.listener = b.listener;
        this.listenerExecutor = b.listenerExecutor;
        this.regionPool = b.regionPool;
        this.reconnectBackoff = b.reconnectBackoff;
        this.retryBackoff = b.retryBackoff;
        this.maxAttempts = b.maxAttempts;
        this.requestTimeout = b.requestTimeout;
        this.connectTimeout = b.connectTimeout;
        this.handshakeTimeout = b.handshakeTimeout;
        this.measureRtt = b.measureRtt;
        this.probeTimeout = b.probeTimeout;
        this.heartbeatInterval = b.heartbeatInterval;
        this.heartbeatTimeout = b.heartbeatTimeout;
        this.maxPending = b.maxPending;
        this.maxFrameBytes = b.maxFrameBytes;
    }

    /** @return the regions given to the builder, in order; may be empty when learned from {@link #regionsUrl()} */
    public List<Region> regions() {
        return regions;
    }

    /** @return the {@code /regions} URL to learn regions from, or {@code null} */
    public URI regionsUrl() {
        return regionsUrl;
    }

    /** @return the pinned region name, or {@code null} */
    public String preferredRegion() {
        return preferredRegion;
    }

    /** @return the TLS context for {@code wss://}, or {@code null} for the JVM's default */
    public javax.net.ssl.SSLContext sslContext() {
        return sslContext;
    }

    /** @return what supplies the token for each {@code hello} and each refresh the node asks for */
    public Supplier<String> tokenSupplier() {
        return tokenSupplier;
    }

    /** @return the listener for connection events, direct messages and broadcasts */
    public ClientListener listener() {
        return listener;
    }

    /** @return the executor callbacks run on, or {@code null} for a dedicated thread per client */
    public Executor listenerExecutor() {
        return listenerExecutor;
    }

    /** @return what creates the client's region pool */
    public Supplier<? extends RegionPool> regionPool() {
        return regionPool;
    }

    /** @return the backoff between connection attempts */
    public Backoff reconnectBackoff() {
        return reconnectBackoff;
    }

    /** @return the backoff before resending a request the node answered {@code unavailable} */
    public Backoff retryBackoff() {
        return retryBackoff;
    }

    /** @return how many times a request answered {@code unavailable} is sent at most */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** @return how long a request may wait for its answer */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** @return how long {@link GeoWsClient#connect()} may take */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** @return how long one connection attempt may take, up to {@code welcome} */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** @return whether round-trip times are measured to order the regions */
    public boolean measureRtt() {
        return measureRtt;
    }

    /** @return how long one round-trip measurement may take */
    public Duration probeTimeout() {
        return probeTimeout;
    }

    /** @return how often the client pings */
    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /** @return after how long without a frame the connection counts as dead */
    public Duration heartbeatTimeout() {
        return heartbeatTimeout;
    }

    /** @return how many publishes and direct messages may wait for an acknowledgement */
    public int maxPending() {
        return maxPending;
    }

    /** @return the largest frame the client sends, in bytes */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    @Override
    public String toString() {
        return "ClientOptions[regions=" + regions + (regionsUrl != null ? ", regionsUrl=" + regionsUrl : "")
                + (preferredRegion != null ? ", preferred=" + preferredRegion : "")
                + ", reconnect=" + reconnectBackoff + ", heartbeat=" + heartbeatInterval + "/" + heartbeatTimeout
                + ", requestTimeout=" + requestTimeout + ", maxPending=" + maxPending + "]";
    }
}
