package io.geows.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;

/**
 * A raw protocol-level WebSocket client for tests (on Java-WebSocket's client): sends frames as
 * JSON, records every frame it receives in a queue, and lets a test wait for the next frame that
 * matches, with a timeout. Not the product client ({@code geows-client}): it does exactly what it is
 * told, which is what tests of the node need.
 *
 * <p>Threading: frames are recorded on the client's thread; the {@code await*} methods may be
 * called from any one test thread.
 *
 * @since 0.1.0
 */
public final class TestClient implements AutoCloseable {
    /** The default wait: 10 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Frames not yet taken by an await, in arrival order; guarded by itself. */
    private final LinkedList<JsonNode> pending = new LinkedList<>();
    private final List<JsonNode> seen = new ArrayList<>();
    private final List<String> raw = new ArrayList<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final Client ws;
    private volatile String closeReason;
    /** The last transport error, shown when a wait fails (it often explains why). */
    private volatile Exception error;
    private volatile boolean opened;

    private TestClient(URI uri, Map<String, String> headers) {
        this.ws = new Client(uri, headers);
    }

    /**
     * Connects to a node.
     *
     * @throws IllegalStateException when the connection cannot be opened in time
     */
    public static TestClient connect(URI uri) {
        return connect(uri, Map.of(), null);
    }

    /**
     * Connects with extra HTTP headers on the upgrade request (e.g. {@code Origin}) and, for
     * {@code wss://}, this TLS context ({@code null}: the JVM's default trust).
     *
     * @throws IllegalStateException when the connection cannot be opened in time (TLS refused, say)
     */
    public static TestClient connect(URI uri, Map<String, String> headers, javax.net.ssl.SSLContext tls) {
        TestClient c = new TestClient(uri, headers);
        if (tls != null) {
            c.ws.setSocketFactory(tls.getSocketFactory());
        }
        try {
            // A node may accept and close at once (a refused origin, too many connections): that counts
            // as connected, the close code is waiting in awaitClose.
            if (!c.ws.connectBlocking(10, TimeUnit.SECONDS) && !c.opened) {
                throw new IllegalStateException("could not connect to " + uri);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted connecting to " + uri, e);
        }
        return c;
    }

    /** Connects and says hello with {@code token}; returns the client without waiting for an answer. */
    public static TestClient connectWithToken(URI uri, String token) {
        TestClient c = connect(uri);
        c.send(Map.of("type", "hello", "token", token, "protocol", 1, "id", "hello"));
        return c;
    }

    /** Connects and says hello as {@code user}; waits for the welcome and returns the client. */
    public static TestClient connectAs(URI uri, String user) {
        TestClient c = connect(uri);
        c.send(Map.of("type", "hello", "token", user, "protocol", 1));
        c.awaitType("welcome");
        return c;
    }

    /** Sends a frame given as a map (encoded as JSON). */
    public void send(Map<String, ?> frame) {
        try {
            ws.send(JSON.writeValueAsString(frame));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Sends raw text, exactly as given (for malformed-input tests). */
    public void sendRaw(String text) {
        ws.send(text);
    }

    /** Sends a binary frame. */
    public void sendBinary(byte[] bytes) {
        ws.send(ByteBuffer.wrap(bytes));
    }

    /** Joins a room and waits for {@code joined}. */
    public JsonNode join(String room) {
        String id = "j-" + room;
        send(Map.of("type", "join", "room", room, "id", id));
        return awaitFrame(f -> "joined".equals(type(f)) && room.equals(f.path("room").asText()), DEFAULT_TIMEOUT);
    }

    /** Publishes and waits for the ack (or an error) answering this id. */
    public JsonNode publish(String room, String id, Object data) {
        send(Map.of("type", "publish", "room", room, "id", id, "data", data));
        return awaitRef(id);
    }

    /** Waits for the {@code ack} or {@code error} whose {@code ref} is {@code id}. */
    public JsonNode awaitRef(String id) {
        return awaitFrame(f -> id.equals(f.path("ref").asText(null))
                && ("ack".equals(type(f)) || "error".equals(type(f)) || "joined".equals(type(f))
                || "left".equals(type(f)) || "presence".equals(type(f)) || "pong".equals(type(f))
                || "welcome".equals(type(f)) || "refreshed".equals(type(f))), DEFAULT_TIMEOUT);
    }

    /** Waits for the next frame of a type (frames of other types stay recorded, see {@link #seen()}). */
    public JsonNode awaitType(String type) {
        return awaitFrame(f -> type.equals(type(f)), DEFAULT_TIMEOUT);
    }

    /** Waits for the next {@code message} frame of a room. */
    public JsonNode awaitMessage(String room) {
        return awaitFrame(f -> "message".equals(type(f)) && room.equals(f.path("room").asText()), DEFAULT_TIMEOUT);
    }

    /**
     * Waits for the first not-yet-taken frame that matches and takes it. Frames that don't match stay
     * for later awaits (and are all in {@link #seen()}).
     *
     * @throws AssertionError when none arrives in time, listing what did arrive
     */
    public JsonNode awaitFrame(Predicate<JsonNode> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (pending) {
            while (true) {
                for (Iterator<JsonNode> it = pending.iterator(); it.hasNext(); ) {
                    JsonNode f = it.next();
                    if (match.test(f)) {
                        it.remove();
                        return f;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no matching frame within " + timeout + "; received so far: " + seen()
                            + (closed.isDone() ? "; connection closed with " + closed.getNow(null) + " " + closeReason : "")
                            + (error != null ? "; transport error: " + error : ""));
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(pending, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /**
     * Takes the frames matching the predicate that are pending now or arrive within {@code window}
     * (for "nothing else arrives" checks, after the expected frames were awaited).
     */
    public List<JsonNode> drain(Predicate<JsonNode> match, Duration window) {
        long deadline = System.nanoTime() + window.toNanos();
        synchronized (pending) {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(pending, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            List<JsonNode> out = new ArrayList<>();
            for (Iterator<JsonNode> it = pending.iterator(); it.hasNext(); ) {
                JsonNode f = it.next();
                if (match.test(f)) {
                    it.remove();
                    out.add(f);
                }
            }
            return out;
        }
    }

    /** The {@code message} frames of {@code room} received so far, in order. */
    public List<JsonNode> messages(String room) {
        return seen().stream().filter(f -> "message".equals(type(f)) && room.equals(f.path("room").asText())).toList();
    }

    /** Waits for the {@code message} of {@code room} with this id (frames before it stay seen). */
    public JsonNode awaitMessage(String room, String id, Duration timeout) {
        return awaitFrame(f -> "message".equals(type(f)) && room.equals(f.path("room").asText())
                && id.equals(f.path("id").asText()), timeout);
    }

    /** The {@code message} frames of {@code room} received so far, as {@code id@offset}, in order. */
    public List<String> idsAndOffsets(String room) {
        return messages(room).stream().map(f -> f.path("id").asText() + "@" + f.path("offset").asLong()).toList();
    }

    /**
     * Publishes, expects an {@code ack}, and waits until each of {@code members} has the message.
     *
     * @return the ack
     */
    public JsonNode publishAndAwait(String room, String id, Duration timeout, TestClient... members) {
        JsonNode ack = publish(room, id, id);
        if (!"ack".equals(type(ack))) {
            throw new AssertionError("publish " + id + " answered " + ack);
        }
        for (TestClient m : members) {
            m.awaitMessage(room, id, timeout);
        }
        return ack;
    }

    /** Every frame received so far, in order, as the text the node sent. */
    public List<String> seenText() {
        synchronized (seen) {
            return List.copyOf(raw);
        }
    }

    /** Every frame received so far, in order. */
    public List<JsonNode> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    /** Waits for the connection to close and returns the close code. */
    public int awaitClose(Duration timeout) {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("connection still open after " + timeout);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The close reason, once closed. */
    public String closeReason() {
        return closeReason;
    }

    /** Whether the connection is open. */
    public boolean isOpen() {
        return ws.isOpen();
    }

    /**
     * Kills the connection as a crashed client would: the TCP connection is reset, no close frame is
     * sent. Returns at once.
     */
    public void kill() {
        try {
            java.net.Socket socket = ws.getSocket();
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Closes the connection (normal close) and waits for it. */
    @Override
    public void close() {
        try {
            ws.closeBlocking();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The frame's {@code type}. */
    /**
     * Waits for a presence change of {@code user} in {@code room} however the room's presence mode
     * sends it: a {@code join}/{@code leave} event, or a {@code diff} listing the user under
     * {@code joined}/{@code left}. Returns the member entry ({@code user}, {@code region}, {@code node}).
     */
    public JsonNode awaitPresence(String room, String user, boolean joined, Duration timeout) {
        JsonNode f = awaitFrame(x -> "presence".equals(type(x)) && room.equals(x.path("room").asText())
                && presenceMember(x, user, joined) != null, timeout);
        return presenceMember(f, user, joined);
    }

    private static JsonNode presenceMember(JsonNode f, String user, boolean joined) {
        String event = f.path("event").asText();
        if (event.equals(joined ? "join" : "leave") && user.equals(f.path("user").asText())) {
            return f;
        }
        if (event.equals("diff")) {
            for (JsonNode m : f.path(joined ? "joined" : "left")) {
                if (user.equals(m.path("user").asText())) {
                    return m;
                }
            }
        }
        return null;
    }

    public static String type(JsonNode f) {
        return f.path("type").asText();
    }

    /** Builds an object node, for tests that compare JSON. */
    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    private final class Client extends WebSocketClient {
        Client(URI uri, Map<String, String> headers) {
            super(uri, headers);
            setConnectionLostTimeout(0);
        }

        @Override
        public void onOpen(ServerHandshake handshake) {
            opened = true;
        }

        @Override
        public void onMessage(String message) {
            JsonNode f;
            try {
                f = JSON.readTree(message);
            } catch (Exception e) {
                f = JSON.createObjectNode().put("type", "__unparseable").put("raw", message);
            }
            synchronized (seen) {
                seen.add(f);
                raw.add(message);
            }
            synchronized (pending) {
                pending.add(f);
                pending.notifyAll();
            }
        }

        @Override
        public void onClose(int code, String reason, boolean remote) {
            closeReason = reason;
            closed.complete(code);
            synchronized (pending) {
                pending.notifyAll();
            }
        }

        @Override
        public void onError(Exception ex) {
            error = ex; // reported by the failing wait, not swallowed
        }
    }
}
