package io.geows.internal;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.java_websocket.WebSocket;
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

    public WsTransport(InetSocketAddress address, NodeEngine engine, int maxFrameBytes, int pingIntervalSeconds) {
        // The draft refuses frames over the limit while reading them: close 1009, nothing buffered.
        super(address, Math.max(2, Runtime.getRuntime().availableProcessors()),
                List.of(new Draft_6455(List.of(), maxFrameBytes)));
        this.engine = engine;
        setReuseAddr(true);
        setTcpNoDelay(true);
        setConnectionLostTimeout(pingIntervalSeconds);
        setDaemon(true);
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
        WsSession s = engine.newSession(conn);
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
            engine.onClose(s);
        }
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
