package io.geows.example;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
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
import java.io.OutputStream;
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
 * The server API for backends in any language ({@code docs/http-api.yaml}): JSON over HTTP under
 * {@code /api/v1}, authenticated with an API key ({@code Authorization: Bearer <key>}, compared in
 * constant time; several keys so one can be rotated in while the old one still works). Every
 * operation takes the same path as the embedding API on this process's node: publish to a room
 * (idempotent by message id), send to a user, broadcast, a room's presence and history, disconnect a
 * user. Errors are {@code {"error": code, "message": text}} with a stable code.
 */
final class HttpApi {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The largest request body: {@value} bytes (413 {@code too_large} beyond). */
    static final int MAX_BODY = 64 * 1024;
    private static final long TIMEOUT_SECONDS = 10;

    private final GeoWsNode node;
    private final ApiKeys keys;
    private volatile boolean refusalLogged;

    HttpApi(GeoWsNode node, List<String> keys) {
        this.node = node;
        this.keys = new ApiKeys(keys);
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

    void handle(HttpExchange ex) throws IOException {
        try {
            if (keys.isEmpty()) {
                throw new Refusal(404, "not_found", "the HTTP API is off: start with --api-keys");
            }
            if (!keys.accept(ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                if (!refusalLogged) {
                    refusalLogged = true;
                    log.warn("HTTP API: refused a request from {} (missing or wrong API key; further ones at debug)",
                            ex.getRemoteAddress());
                } else {
                    log.debug("HTTP API: refused a request from {}", ex.getRemoteAddress());
                }
                throw new Refusal(401, "unauthorized", "missing or wrong API key");
            }
            respond(ex, route(ex));
        } catch (Refusal r) {
            ObjectNode body = r.extra != null ? r.extra : JSON.createObjectNode();
            body.put("error", r.code).put("message", r.getMessage());
            send(ex, r.status, body);
        }
    }

    private record Answer(int status, ObjectNode body) {
    }

    private void respond(HttpExchange ex, Answer a) throws IOException {
        send(ex, a.status(), a.body());
    }

    private Answer route(HttpExchange ex) throws Refusal, IOException {
        String path = ex.getRequestURI().getRawPath();
        String method = ex.getRequestMethod();
        String[] parts = path.substring("/api/v1".length()).split("/", -1);
        // parts[0] is "" (the path starts with a slash)
        if (parts.length == 2 && parts[1].equals("broadcast")) {
            expect(method, "POST");
            return broadcast(body(ex));
        }
        if (parts.length == 4 && parts[1].equals("rooms")) {
            String room = segment(parts[2], "room");
            switch (parts[3]) {
                case "messages" -> {
                    expect(method, "POST");
                    return publish(room, body(ex));
                }
                case "presence" -> {
                    expect(method, "GET");
                    return presence(room);
                }
                case "history" -> {
                    expect(method, "GET");
                    return history(room, query(ex));
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
                    return sendToUser(user, body(ex));
                }
                case "disconnect" -> {
                    expect(method, "POST");
                    return disconnect(user, body(ex));
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
    private static JsonNode body(HttpExchange ex) throws Refusal, IOException {
        byte[] bytes;
        try (InputStream in = ex.getRequestBody()) {
            bytes = in.readNBytes(MAX_BODY + 1);
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

    private static Map<String, String> query(HttpExchange ex) {
        Map<String, String> out = new LinkedHashMap<>();
        String q = ex.getRequestURI().getRawQuery();
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

    private static void send(HttpExchange ex, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
