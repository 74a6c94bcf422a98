package io.geows.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.handshake.ServerHandshake;

/**
 * One WebSocket connection to one region, on Java-WebSocket's client. It only parses frames and
 * hands every event to the client's loop; a new connection is made for every attempt, and the loop
 * ignores events of connections it no longer uses.
 */
final class WsConnection extends WebSocketClient {
    /** How long a graceful close may wait for the node's answer. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(2);
    private final ClientEngine engine;
    final Region region;
    /** Set on the loop thread while the hello is answered. */
    String helloId;
    String helloError;
    String helloErrorMessage;
    Set<String> resumed = Set.of();
    Exception lastError;

    WsConnection(ClientEngine engine, Region region, int connectTimeoutMillis, javax.net.ssl.SSLContext tls) {
        super(region.uri(), new Draft_6455(), Map.of(), connectTimeoutMillis);
        this.engine = engine;
        this.region = region;
        if (tls != null && "wss".equalsIgnoreCase(region.uri().getScheme())) {
            // Java-WebSocket checks the host name against the certificate (endpoint identification HTTPS).
            setSocketFactory(tls.getSocketFactory());
        }
        // Heartbeats are the client's own ping/pong frames (they also prove the node, not just the socket, is alive).
        setConnectionLostTimeout(0);
        setTcpNoDelay(true);
        setDaemon(true);
    }

    @Override
    public void onOpen(ServerHandshake handshake) {
        engine.post(() -> engine.onOpen(this));
    }

    @Override
    public void onMessage(String text) {
        JsonNode frame = Frames.parse(text);
        engine.post(() -> engine.onFrame(this, frame, text));
    }

    @Override
    public void onMessage(ByteBuffer bytes) {
        engine.post(() -> engine.onFrame(this, null, "<" + bytes.remaining() + " binary bytes>"));
    }

    @Override
    public void onClose(int code, String reason, boolean remote) {
        engine.post(() -> engine.onClose(this, code, reason));
    }

    @Override
    public void onError(Exception ex) {
        engine.post(() -> lastError = ex);
    }

    /** Sends a text frame; false when the connection is no longer open (the caller resends later). */
    boolean sendText(String text) {
        try {
            send(text);
            return true;
        } catch (WebsocketNotConnectedException e) {
            return false;
        }
    }

    /**
     * Closes gracefully when open, else drops the socket; a node that does not answer the close
     * within {@link #CLOSE_GRACE} is dropped too, so no thread of this connection outlives it. Never
     * throws.
     */
    void shutdown(int code, String reason) {
        try {
            if (isOpen()) {
                close(code, reason);
                CompletableFuture.delayedExecutor(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS)
                        .execute(() -> abort("no answer to the close"));
            } else {
                closeConnection(code, reason);
            }
        } catch (RuntimeException e) {
            // already closing: nothing left to do
        }
    }

    /** Drops the socket without a close handshake (the node no longer answers). */
    void abort(String reason) {
        if (isClosed()) {
            return;
        }
        try {
            closeConnection(RetryDecision.ABNORMAL, reason);
        } catch (RuntimeException e) {
            // already closed
        }
    }

    @Override
    public String toString() {
        return "connection to " + region;
    }
}
