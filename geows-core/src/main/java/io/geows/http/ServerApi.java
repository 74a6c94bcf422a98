package io.geows.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.geows.BrokerUnavailableException;
import io.geows.CloseCodes;
import io.geows.GeoWsException;
import io.geows.GeoWsNode;
import io.geows.RoomHistory;
import io.geows.RoomMessage;
import io.geows.WrongRegionException;
import io.geows.spi.Position;
import io.geows.spi.PresenceMember;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server API for backends in any language: JSON over HTTP, authenticated with an API key
 * ({@code Authorization: Bearer <key>}, see {@link ApiKeys}), acting through one node with the same
 * calls as the embedding API: publish to a room (idempotent by message id), send to a user,
 * broadcast, a room's presence and history, disconnect a user. Errors are
 * {@code {"error": code, "message": text}} with a stable code and status (400 {@code bad_json} /
 * {@code bad_request}, 401 {@code unauthorized}, 403 {@code forbidden}, 404 {@code not_found}, 405
 * {@code method_not_allowed}, 409 {@code wrong_region}, 413 {@code too_large}, 503
 * {@code unavailable}). The operations, bodies and answers are described by the OpenAPI document
 * {@code docs/http-api.yaml}.
 *
 * <p>It is independent of any HTTP server: the host hands each request under the API's base path
 * (usually {@code /api/v1}) to {@link #handle} and writes the {@link Response} back. The reference
 * server and the Spring Boot starter serve it this way.
 *
 * <pre>{@code
 * ServerApi api = new ServerApi(node, ApiKeys.of(List.of(System.getenv("GEOWS_API_KEY"))));
 * ServerApi.Response r = api.handle(new ServerApi.Request("POST", "/rooms/orders/messages", null,
 *         authorizationHeader, requestBody));
 * }</pre>
 *
 * <p>Threading: {@link #handle} is thread-safe and blocks the calling thread until the node answered
 * (at most 10 s: then {@code 503 unavailable}).
 *
 * @since 0.1.0
 */
public final class ServerApi {
    private static final Logger log = LoggerFactory.getLogger(ServerApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The largest request body: {@value} bytes (413 {@code too_large} beyond). */
    public static final int MAX_BODY = 64 * 1024;
    private static final long TIMEOUT_SECONDS = 10;

    private final GeoWsNode node;
    private final ApiKeys keys;
    private volatile boolean refusalLogged;

    /**
     * The API of a node.
     *
     * @param keys the keys a request must carry one of; none: every request is answered 404 (the API is off)
     */
    public ServerApi(GeoWsNode node, ApiKeys keys) {
        this.node = java.util.Objects.requireNonNull(node, "node");
        this.keys = java.util.Objects.requireNonNull(keys, "keys");
    }

    /**
     * One request.
     *
     * @param method        the HTTP method, such as {@code POST}
     * @param path          the raw (still percent-encoded) path below the API's base, such as
     *                      {@code /rooms/orders%3A42/messages}
     * @param query         the raw query string without {@code ?}, or {@code null}
     * @param authorization the {@code Authorization} header, or {@code null}
     * @param body          the request body (read up to {@link #MAX_BODY} + 1 bytes; not closed), or {@code null}
     * @param remote        who sent it, for the log (an address), or {@code null}
     */
    public record Request(String method, String path, String query, String authorization, InputStream body,
                          String remote) {
        /** A request whose sender is not known. */
        public Request(String method, String path, String query, String authorization, InputStream body) {
            this(method, path, query, authorization, body, null);
        }
    }

    /**
     * The answer: a status and a JSON body ({@code Content-Type: application/json}, not to be cached).
     *
     * @param authenticate whether to add {@code WWW-Authenticate: Bearer} (a 401)
     */
    public record Response(int status, byte[] body, boolean authenticate) {
        /** The body as text. */
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A refusal with its status and stable code. */
    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;
        final transient ObjectNode extra;

        Refusal(int status, String code, String message) {
            this(status, code, message, null);
        }

        Refusal(int status, String code, String message, ObjectNode extra) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
            this.extra = extra;
        }
    }

    /** Answers one request: never throws for anything the request carries. */
    public Response handle(Request request) {
        boolean authenticate = false;
        try {
            if (keys.isEmpty()) {
                throw new Refusal(404, "not_found", "the HTTP API is off: no API key is configured");
            }
            if (!keys.accept(request.authorization())) {
                authenticate = true;
                if (!refusalLogged) {
                    refusalLogged = true;
                    log.warn("HTTP API: refused a request from {} (missing or wrong API key; further ones at debug)",
                            request.remote());
                } else {
                    log.debug("HTTP API: refused a request from {}", request.remote());
                }
                throw new Refusal(401, "unauthorized", "missing or wrong API key");
            }
            Answer a = route(request);
            return new Response(a.status(), bytes(a.body()), false);
        } catch (Refusal r) {
            ObjectNode body = r.extra != null ? r.extra : JSON.createObjectNode();
            body.put("error", r.code).put("message", r.getMessage());
            return new Response(r.status, bytes(body), authenticate);
        }
    }

    private record Answer(int status, ObjectNode body) {
    }

    private Answer route(Request ex) throws Refusal {
        String path = ex.path() == null ? "" : ex.path();
        String method = ex.method();
        String[] parts = path.split("/", -1);
        // parts[0] is "" (the path starts with a slash)
        if (parts.length == 2 && parts[1].equals("broadcast")) {
            expect(method, "POST");
            return broadcast(body(ex.body()));
        }
        if (parts.length == 4 && parts[1].equals("rooms")) {
            String room = segment(parts[2], "room");
            switch (parts[3]) {
                case "messages" -> {
                    expect(method, "POST");
                    return publish(room, body(ex.body()));
                }
                case "presence" -> {
                    expect(method, "GET");
                    return presence(room);
                }
                case "history" -> {
                    expect(method, "GET");
                    return history(room, query(ex.query()));
                }
                default -> {
                }
            }
        }
        if (parts.length == 4 && parts[1].equals("users")) {
            String user = segment(parts[2], "user");
            switch (parts[3]) {
                case "messages" -> {
                    expect(method, "POST");
                    return sendToUser(user, body(ex.body()));
                }
                case "disconnect" -> {
                    expect(method, "POST");
                    return disconnect(user, body(ex.body()));
                }
                default -> {
                }
            }
        }
        throw new Refusal(404, "not_found", "no such operation: " + method + " " + path);
    }

    private Answer publish(String room, JsonNode body) throws Refusal {
        String data = data(body);
        String id = optionalText(body, "id");
        Position p = await(() -> node.publish(room, id, data));
        ObjectNode out = JSON.createObjectNode().put("room", room).put("offset", p.offset()).put("epoch", p.epoch());
        return new Answer(200, out);
    }

    private Answer sendToUser(String user, JsonNode body) throws Refusal {
        String data = data(body);
        int nodes = await(() -> node.sendToUser(user, data));
        return new Answer(200, JSON.createObjectNode().put("user", user).put("nodes", nodes));
    }

    private Answer broadcast(JsonNode body) throws Refusal {
        String data = data(body);
        await(() -> node.broadcast(data));
        return new Answer(202, JSON.createObjectNode().put("accepted", true));
    }

    private Answer presence(String room) throws Refusal {
        List<PresenceMember> members = await(() -> node.presence(room));
        ObjectNode out = JSON.createObjectNode().put("room", room);
        ArrayNode list = out.putArray("members");
        for (PresenceMember m : members) {
            list.addObject().put("user", m.user()).put("region", m.region()).put("node", m.nodeId());
        }
        return new Answer(200, out);
    }

    private Answer history(String room, Map<String, String> query) throws Refusal {
        int limit = number(query.getOrDefault("limit", "100"), "limit");
        Position since = null;
        if (query.containsKey("after") || query.containsKey("epoch")) {
            if (!query.containsKey("after") || !query.containsKey("epoch")) {
                throw new Refusal(400, "bad_request", "after and epoch go together: the position of the last message read");
            }
            since = new Position(number(query.get("after"), "after"), query.get("epoch"));
        }
        Position from = since;
        RoomHistory h = await(() -> node.history(room, from, limit));
        ObjectNode out = JSON.createObjectNode().put("room", room).put("complete", h.complete());
        out.putObject("position").put("offset", h.position().offset()).put("epoch", h.position().epoch());
        ArrayNode list = out.putArray("messages");
        for (RoomMessage m : h.messages()) {
            ObjectNode o = list.addObject().put("id", m.envelope().id());
            if (m.from() != null) {
                o.put("from", m.from());
            }
            o.put("region", m.envelope().region()).put("ts", m.envelope().timestamp())
                    .put("offset", m.position().offset()).put("epoch", m.position().epoch());
            try {
                o.set("data", JSON.readTree(m.data()));
            } catch (JsonProcessingException e) {
                o.put("data", m.data());
            }
        }
        return new Answer(200, out);
    }

    private Answer disconnect(String user, JsonNode body) throws Refusal {
        int code = body.has("code") ? body.path("code").asInt(-1) : CloseCodes.RECONNECT;
        if (body.has("code") && !body.path("code").canConvertToInt()) {
            throw new Refusal(400, "bad_request", "code must be a close code 4100-4999");
        }
        String reason = optionalText(body, "reason");
        await(() -> node.disconnectUser(user, code, reason == null ? "" : reason));
        return new Answer(202, JSON.createObjectNode().put("user", user).put("accepted", true));
    }

    // ---------------------------------------------------------------- parts

    private interface Call<T> {
        CompletableFuture<T> start();
    }

    /** Runs an operation of the node; its failures become the API's errors. */
    private <T> T await(Call<T> call) throws Refusal {
        try {
            return call.start().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (IllegalArgumentException e) {
            throw new Refusal(400, "bad_request", e.getMessage());
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        } catch (TimeoutException e) {
            throw new Refusal(503, "unavailable", "the broker did not answer within " + TIMEOUT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refusal(503, "unavailable", "interrupted");
        } catch (GeoWsException e) {
            throw failure(e);
        }
    }

    private static Refusal failure(Throwable cause) {
        if (cause instanceof BrokerUnavailableException) {
            return new Refusal(503, "unavailable", "the broker is unreachable: nothing was done; send it again later");
        }
        if (cause instanceof WrongRegionException w) {
            ObjectNode extra = JSON.createObjectNode();
            ArrayNode regions = extra.putArray("regions");
            w.regions().forEach(regions::add);
            return new Refusal(409, "wrong_region", w.getMessage(), extra);
        }
        if (cause instanceof IllegalArgumentException) {
            return new Refusal(400, "bad_request", cause.getMessage());
        }
        if (cause instanceof GeoWsException) {
            return new Refusal(403, "forbidden", cause.getMessage());
        }
        log.error("HTTP API: operation failed", cause);
        return new Refusal(500, "internal", "internal error");
    }

    private static void expect(String method, String wanted) throws Refusal {
        if (!wanted.equals(method)) {
            throw new Refusal(405, "method_not_allowed", "use " + wanted);
        }
    }

    private static String segment(String raw, String what) throws Refusal {
        String s = URLDecoder.decode(raw, StandardCharsets.UTF_8);
        if (s.isEmpty()) {
            throw new Refusal(400, "bad_request", what + " is missing from the path");
        }
        return s;
    }

    /** The request body as one JSON object, at most {@link #MAX_BODY} bytes. */
    private static JsonNode body(InputStream in) throws Refusal {
        byte[] bytes;
        try {
            bytes = in == null ? new byte[0] : in.readNBytes(MAX_BODY + 1);
        } catch (IOException e) {
            throw new Refusal(400, "bad_request", "the body could not be read: " + e.getMessage());
        }
        if (bytes.length > MAX_BODY) {
            throw new Refusal(413, "too_large", "the body is larger than " + MAX_BODY + " bytes");
        }
        if (bytes.length == 0) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode n = JSON.readTree(bytes);
            if (n == null || !n.isObject()) {
                throw new Refusal(400, "bad_json", "the body must be one JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new Refusal(400, "bad_json", "the body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Refusal(400, "bad_json", "the body could not be read: " + e.getMessage());
        }
    }

    private static String data(JsonNode body) throws Refusal {
        JsonNode data = body.get("data");
        if (data == null) {
            throw new Refusal(400, "bad_request", "data is required: the message, one JSON value");
        }
        return data.toString();
    }

    private static String optionalText(JsonNode body, String field) throws Refusal {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new Refusal(400, "bad_request", field + " must be a string");
        }
        return v.textValue();
    }

    private static int number(String v, String name) throws Refusal {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new Refusal(400, "bad_request", name + " must be a whole number, was '" + v + "'");
        }
    }

    private static Map<String, String> query(String q) {
        Map<String, String> out = new LinkedHashMap<>();
        if (q == null) {
            return out;
        }
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static byte[] bytes(ObjectNode body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
