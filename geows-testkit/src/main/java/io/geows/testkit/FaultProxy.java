package io.geows.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on a free port of {@value Ports#LOOPBACK} that forwards to one target and injects
 * network faults: latency, cut connections, a black hole (partition) and refused connections.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.launch();
 *      FaultProxy proxy = FaultProxy.start(redis.host(), redis.port())) {
 *     connect("redis://127.0.0.1:" + proxy.port());
 *     proxy.setLatency(Duration.ofMillis(50));
 *     proxy.blackhole(true);          // partition: bytes vanish, connections stay open
 *     proxy.blackhole(false);
 *     proxy.cutConnections();         // every open connection is reset
 * }
 * }</pre>
 *
 * <p>Each connection uses plain blocking sockets and daemon threads named
 * {@code geows-fault-proxy-<port>-...}: a reader and a writer per direction, joined by a delay
 * queue that holds each chunk until its due time, so latency never reorders bytes. Chunks are
 * buffered without bound while they wait, so the proxy gives no back-pressure under latency.
 *
 * <p>All methods are thread-safe. After {@link #close()} returns, no proxy thread or socket is
 * left.
 *
 * @since 0.1.0
 */
public final class FaultProxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FaultProxy.class);

    private static final long JOIN_TIMEOUT_MILLIS = 5_000;

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket serverSocket;
    private final int port;
    private final Thread acceptThread;
    private final Set<ProxyLink> links = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger linkIds = new AtomicInteger();
    private volatile long latencyNanos;
    private volatile boolean blackholed;
    private volatile boolean refusing;
    private volatile boolean closed;

    private FaultProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.serverSocket = new ServerSocket();
        try {
            serverSocket.setReuseAddress(true);
            serverSocket.bind(new InetSocketAddress(InetAddress.getByName(Ports.LOOPBACK), 0));
        } catch (IOException e) {
            serverSocket.close();
            throw e;
        }
        this.port = serverSocket.getLocalPort();
        this.acceptThread = spawn(threadName("accept"), this::acceptLoop);
    }

    /**
     * Starts a proxy on a free loopback port that forwards every connection to the target. The
     * target is connected once per accepted connection; if it cannot be reached, that connection
     * is reset.
     *
     * @param targetHost host to forward to, e.g. {@code "127.0.0.1"}
     * @param targetPort port to forward to
     * @return the running proxy; close it when done
     * @throws NullPointerException if {@code targetHost} is null
     * @throws IllegalArgumentException if {@code targetPort} is not between 1 and 65535
     * @throws UncheckedIOException if the proxy cannot listen
     */
    public static FaultProxy start(String targetHost, int targetPort) {
        Objects.requireNonNull(targetHost, "targetHost");
        if (targetPort < 1 || targetPort > 65_535) {
            throw new IllegalArgumentException("targetPort must be 1..65535, was " + targetPort);
        }
        try {
            FaultProxy proxy = new FaultProxy(targetHost, targetPort);
            log.debug("fault proxy 127.0.0.1:{} -> {}:{} started", proxy.port, targetHost,
                    targetPort);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a fault proxy to " + targetHost + ":"
                    + targetPort, e);
        }
    }

    /**
     * The host the proxy listens on.
     *
     * @return always {@value Ports#LOOPBACK}
     */
    public String host() {
        return Ports.LOOPBACK;
    }

    /**
     * The port the proxy listens on.
     *
     * @return the TCP port
     */
    public int port() {
        return port;
    }

    /**
     * Sets the delay added to every chunk of bytes in each direction (a round trip gains twice
     * this). Applies to bytes read from now on; bytes already waiting keep their due time, and
     * bytes never overtake earlier ones.
     *
     * @param latency zero or more; {@link Duration#ZERO} (the default) forwards at once
     * @throws NullPointerException if {@code latency} is null
     * @throws IllegalArgumentException if {@code latency} is negative
     */
    public void setLatency(Duration latency) {
        Objects.requireNonNull(latency, "latency");
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative, was " + latency);
        }
        this.latencyNanos = latency.toNanos();
    }

    /**
     * The one-way delay set with {@link #setLatency(Duration)}.
     *
     * @return the latency
     */
    public Duration latency() {
        return Duration.ofNanos(latencyNanos);
    }

    /**
     * Resets every open connection (both its client and its target side), as a broken network
     * path would; the proxy keeps accepting new connections.
     */
    public void cutConnections() {
        List<ProxyLink> snapshot = new ArrayList<>(links);
        for (ProxyLink link : snapshot) {
            link.close(true);
        }
        if (!snapshot.isEmpty()) {
            log.debug("fault proxy {} cut {} connection(s)", port, snapshot.size());
        }
    }

    /**
     * Turns the black hole on or off. While on, as in a network partition: bytes in both
     * directions are silently dropped (including bytes that were waiting for their latency), open
     * connections stay open, and new connections are accepted but never connected to the target,
     * so they stay dead even after the black hole is turned off. Connections opened while it is
     * off forward again, minus the bytes that were dropped. A close (FIN) is still passed on.
     *
     * @param on {@code true} to drop all traffic
     */
    public void blackhole(boolean on) {
        this.blackholed = on;
        log.debug("fault proxy {} black hole {}", port, on ? "on" : "off");
    }

    /**
     * Whether the black hole is on.
     *
     * @return {@code true} between {@code blackhole(true)} and {@code blackhole(false)}
     */
    public boolean isBlackholed() {
        return blackholed;
    }

    /**
     * While on, every new connection is accepted and at once reset, so clients see their first
     * read or write fail; open connections are left alone.
     *
     * @param refuse {@code true} to reset new connections
     */
    public void setRefuseConnections(boolean refuse) {
        this.refusing = refuse;
    }

    /**
     * The number of client connections currently open through the proxy, including black-holed
     * ones.
     *
     * @return the count
     */
    public int connectionCount() {
        return links.size();
    }

    /**
     * Stops listening, closes every connection and waits (up to 5 s) for all proxy threads to
     * end. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(serverSocket);
        join(acceptThread);
        for (ProxyLink link : new ArrayList<>(links)) {
            link.close(false);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_TIMEOUT_MILLIS);
        for (Thread thread : new ArrayList<>(threads)) {
            long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remainingMillis <= 0) {
                break;
            }
            joinFor(thread, remainingMillis);
        }
        if (!threads.isEmpty()) {
            log.warn("fault proxy {}: threads still alive after close: {}", port, threads);
        }
        log.debug("fault proxy {} closed", port);
    }

    @Override
    public String toString() {
        return "FaultProxy[127.0.0.1:" + port + " -> " + targetHost + ":" + targetPort + "]";
    }

    /** A link that closed. */
    void forget(ProxyLink link) {
        links.remove(link);
    }

    String targetHost() {
        return targetHost;
    }

    int targetPort() {
        return targetPort;
    }

    long latencyNanos() {
        return latencyNanos;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = serverSocket.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("fault proxy {} stopped accepting: {}", port, e.toString());
                }
                return;
            }
            if (closed || refusing) {
                reset(client);
                continue;
            }
            ProxyLink link = new ProxyLink(this, linkIds.incrementAndGet(), client);
            links.add(link);
            link.open(blackholed);
        }
    }

    /** Starts a daemon thread of this proxy (joined on close). */
    Thread spawn(String name, Runnable body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } finally {
                threads.remove(Thread.currentThread());
            }
        }, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
        return thread;
    }

    String threadName(String role) {
        return "geows-fault-proxy-" + port + "-" + role;
    }

    private static void join(Thread thread) {
        joinFor(thread, JOIN_TIMEOUT_MILLIS);
    }

    private static void joinFor(Thread thread, long millis) {
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void reset(Socket socket) {
        try {
            // linger 0 makes close() send RST instead of FIN
            socket.setSoLinger(true, 0);
        } catch (SocketException e) {
            // already closed
        }
        closeQuietly(socket);
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing to clean up; the failure changes nothing
        }
    }
}
