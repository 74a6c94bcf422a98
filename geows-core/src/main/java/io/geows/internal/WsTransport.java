package io.geows.internal;

import io.geows.CloseCodes;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.WebSocketServerFactory;
import org.java_websocket.drafts.Draft;
import org.java_websocket.enums.ReadyState;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.server.DefaultSSLWebSocketServerFactory;
import org.java_websocket.server.DefaultWebSocketServerFactory;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The WebSocket server on Java-WebSocket: hands frames to the engine, nothing else. */
public final class WsTransport extends WebSocketServer {
    private static final Logger log = LoggerFactory.getLogger(WsTransport.class);

    private final NodeEngine engine;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final java.util.Set<String> allowedOrigins;
    private final int maxPerAddress;
    private final java.util.concurrent.ConcurrentHashMap<java.net.InetAddress, Integer> perAddress =
            new java.util.concurrent.ConcurrentHashMap<>();

    public WsTransport(InetSocketAddress address, NodeEngine engine, int maxFrameBytes, int pingIntervalSeconds,
                       java.util.Set<String> allowedOrigins) {
        // The draft refuses frames over the limit while reading them: close 1009, nothing buffered.
        super(address, Math.max(2, Runtime.getRuntime().availableProcessors()),
                List.of(new Draft_6455(List.of(), maxFrameBytes)));
        this.engine = engine;
        this.allowedOrigins = allowedOrigins;
        this.maxPerAddress = engine.limits().maxConnectionsPerAddress();
        setReuseAddr(true);
        // The listen backlog: Java-WebSocket's default (50) drops SYNs in a reconnect storm.
        setMaxPendingConnections(1024);
        setTcpNoDelay(true);
        setConnectionLostTimeout(pingIntervalSeconds);
        setDaemon(true);
    }

    /**
     * Sets how connections are made: TLS when {@code tls} is not null, and a deadline for the
     * WebSocket upgrade (TLS handshake included): a connection still not upgraded after
     * {@code handshakeTimeout} is closed and counted (slow or idle openers hold no socket for long).
     */
    public void configure(javax.net.ssl.SSLContext tls, java.util.concurrent.ScheduledExecutorService scheduler,
                          java.time.Duration handshakeTimeout) {
        WebSocketServerFactory inner = tls == null ? new DefaultWebSocketServerFactory()
                : new DefaultSSLWebSocketServerFactory(tls);
        setWebSocketFactory(new HandshakeDeadline(inner, scheduler, handshakeTimeout.toMillis()));
    }

    /** Closes connections that did not finish the upgrade in time. */
    private final class HandshakeDeadline implements WebSocketServerFactory {
        private final WebSocketServerFactory inner;
        private final java.util.concurrent.ScheduledExecutorService scheduler;
        private final long timeoutMillis;

        HandshakeDeadline(WebSocketServerFactory inner, java.util.concurrent.ScheduledExecutorService scheduler, long timeoutMillis) {
            this.inner = inner;
            this.scheduler = scheduler;
            this.timeoutMillis = timeoutMillis;
        }

        @Override
        public WebSocketImpl createWebSocket(WebSocketAdapter adapter, Draft draft) {
            return watch(inner.createWebSocket(adapter, draft));
        }

        @Override
        public WebSocketImpl createWebSocket(WebSocketAdapter adapter, List<Draft> drafts) {
            return watch(inner.createWebSocket(adapter, drafts));
        }

        private WebSocketImpl watch(WebSocketImpl w) {
            scheduler.schedule(() -> {
                if (w.getReadyState() == ReadyState.NOT_YET_CONNECTED) {
                    engine.counters().connectionsRefused.increment();
                    if (refusalsLogged.add(-1)) {
                        log.warn("closed a connection from {} that did not finish the WebSocket upgrade within {} ms "
                                + "(further ones at debug)", w.getRemoteSocketAddress(), timeoutMillis);
                    } else {
                        log.debug("closed a connection from {}: no upgrade within {} ms", w.getRemoteSocketAddress(), timeoutMillis);
                    }
                    w.closeConnection(CloseFrame.NEVER_CONNECTED, "no WebSocket upgrade in time");
                }
            }, timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
            return w;
        }

        @Override
        public java.nio.channels.ByteChannel wrapChannel(java.nio.channels.SocketChannel channel,
                                                         java.nio.channels.SelectionKey key) throws java.io.IOException {
            return inner.wrapChannel(channel, key);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** Starts the write nudge on the node's scheduler. */
    public void scheduleNudges(java.util.concurrent.ScheduledExecutorService scheduler) {
        scheduler.scheduleWithFixedDelay(this::nudgeStalledWrites, NUDGE_MILLIS, NUDGE_MILLIS,
                java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    public CompletableFuture<Void> started() {
        return started;
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
        String origin = handshake.getFieldValue("Origin");
        if (!allowedOrigins.isEmpty() && !origin.isEmpty() && !allowedOrigins.contains(origin)) {
            refuse(conn, CloseCodes.ORIGIN_NOT_ALLOWED, "origin not allowed", "origin '" + clip(origin) + "' is not allowed");
            return;
        }
        java.net.InetAddress address = addressOf(conn);
        if (maxPerAddress > 0 && address != null) {
            int n = perAddress.merge(address, 1, Integer::sum);
            if (n > maxPerAddress) {
                release(address);
                refuse(conn, CloseCodes.TOO_MANY_CONNECTIONS, "too many connections from your address",
                        "more than " + maxPerAddress + " connections from " + address.getHostAddress());
                return;
            }
        }
        WsSession s = engine.newSession(new JwsConnection(conn));
        conn.setAttachment(s);
        engine.onOpen(s);
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
        WsSession s = conn.getAttachment();
        if (s != null) {
            engine.onText(s, message);
        }
    }

    @Override
    public void onMessage(WebSocket conn, ByteBuffer message) {
        WsSession s = conn.getAttachment();
        if (s != null) {
            engine.onBinary(s);
        }
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
        WsSession s = conn.getAttachment();
        if (s != null) {
            if (!remote && (code == CloseCodes.TOO_BIG || code == CloseCodes.HELLO_TIMEOUT || code == CloseCodes.RATE_LIMITED)) {
                engine.counters().limitDisconnects.increment();
            }
            if (maxPerAddress > 0) {
                java.net.InetAddress address = addressOf(conn);
                if (address != null) {
                    release(address);
                }
            }
            engine.onClose(s);
        }
    }

    /** Closes a connection before it becomes a session; counted, logged once per reason at warn. */
    private void refuse(WebSocket conn, int code, String reason, String detail) {
        engine.counters().connectionsRefused.increment();
        if (refusalsLogged.add(code)) {
            log.warn("refused a connection from {}: {} (close {}; further refusals at debug)", conn.getRemoteSocketAddress(), detail, code);
        } else {
            log.debug("refused a connection from {}: {} (close {})", conn.getRemoteSocketAddress(), detail, code);
        }
        conn.close(code, reason);
    }

    private final java.util.Set<Integer> refusalsLogged = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private void release(java.net.InetAddress address) {
        perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    private static java.net.InetAddress addressOf(WebSocket conn) {
        try {
            InetSocketAddress remote = conn.getRemoteSocketAddress();
            return remote == null ? null : remote.getAddress();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String clip(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {
        if (conn == null) {
            if (!started.completeExceptionally(ex)) {
                log.error("WebSocket server failed", ex);
            }
            return;
        }
        log.debug("connection error on {}", conn.getRemoteSocketAddress(), ex);
    }

    @Override
    public void onStart() {
        started.complete(null);
    }

    /**
     * Works around a race in Java-WebSocket: when another thread queues a frame just as the selector
     * thread finds the queue empty and drops its interest in writing, the frame waits until the next
     * write. Every {@value #NUDGE_MILLIS} ms, connections with queued bytes get their write interest
     * back, which bounds such a stall to that interval.
     */
    void nudgeStalledWrites() {
        for (WebSocket c : getConnections()) {
            if (c instanceof org.java_websocket.WebSocketImpl impl && impl.hasBufferedData() && c.isOpen()) {
                try {
                    onWriteDemand(c);
                } catch (RuntimeException e) {
                    log.debug("write nudge failed for {}", c.getRemoteSocketAddress(), e);
                }
            }
        }
    }

    /** How often {@link #nudgeStalledWrites()} runs. */
    static final long NUDGE_MILLIS = 50;
}
