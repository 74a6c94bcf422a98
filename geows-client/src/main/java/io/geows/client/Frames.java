package io.geows.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** Builds the client's frames of protocol version 1 and reads the node's. Stateless, thread-safe. */
final class Frames {
    static final int PROTOCOL = 1;
    static final ObjectMapper JSON = new ObjectMapper();

    /** A room position: the pair {@code {offset, epoch}}. */
    record Position(long offset, String epoch) {
    }

    private Frames() {
    }

    static String refresh(String token, String id) {
        return text(frame("refresh").put("token", token).put("id", id));
    }

    static String hello(String token, Map<String, Position> resume, String id) {
        ObjectNode f = frame("hello").put("token", token).put("protocol", PROTOCOL);
        if (!resume.isEmpty()) {
            ObjectNode r = f.putObject("resume");
            resume.forEach((room, p) -> position(r.putObject(room), p));
        }
        return text(f.put("id", id));
    }

    static String join(String room, Position since, String id) {
        ObjectNode f = frame("join").put("room", room);
        if (since != null) {
            position(f.putObject("since"), since);
        }
        return text(f.put("id", id));
    }

    static String leave(String room, String id) {
        return text(frame("leave").put("room", room).put("id", id));
    }

    static String publish(String room, String id, JsonNode data) {
        ObjectNode f = frame("publish").put("room", room).put("id", id);
        f.set("data", data);
        return text(f);
    }

    static String direct(String to, String id, JsonNode data) {
        ObjectNode f = frame("direct").put("to", to).put("id", id);
        f.set("data", data);
        return text(f);
    }

    static String rpc(String method, String id, JsonNode data) {
        ObjectNode f = frame("rpc").put("method", method).put("id", id);
        f.set("data", data);
        return text(f);
    }

    static String presence(String room, String id) {
        return text(frame("presence").put("room", room).put("id", id));
    }

    static String ping(String id) {
        return text(frame("ping").put("id", id));
    }

    /**
     * The payload of a publish or direct: any Jackson-serializable value.
     *
     * @throws IllegalArgumentException when Jackson cannot serialize it
     */
    static JsonNode data(Object value) {
        try {
            return JSON.valueToTree(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot serialize " + (value == null ? "null" : value.getClass().getName())
                    + " to JSON: " + e.getMessage() + "; pass JSON text to publishJson/directJson instead", e);
        }
    }

    /**
     * The payload given as JSON text.
     *
     * @throws IllegalArgumentException when it is not one JSON value
     */
    static JsonNode dataJson(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new IllegalArgumentException("data must be one JSON value, was empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("data is not valid JSON: " + e.getOriginalMessage()
                    + "; to send a plain string use publish(room, \"text\")", e);
        }
    }

    /** Parses a frame from a node; null when it is not a JSON object. */
    static JsonNode parse(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    static Position positionOf(JsonNode node) {
        if (node == null || !node.path("offset").canConvertToLong() || !node.path("epoch").isTextual()) {
            return null;
        }
        return new Position(node.path("offset").asLong(), node.path("epoch").asText());
    }

    static String textOrNull(JsonNode f, String field) {
        JsonNode v = f.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static Message message(JsonNode f, String room) {
        JsonNode data = f.get("data");
        return new Message(room, f.path("id").asText(), textOrNull(f, "from"), textOrNull(f, "region"),
                textOrNull(f, "node"), f.path("ts").asLong(), f.path("offset").asLong(), textOrNull(f, "epoch"),
                data == null ? JSON.nullNode() : data, JSON);
    }

    private static ObjectNode frame(String type) {
        return JSON.createObjectNode().put("type", type);
    }

    private static void position(ObjectNode target, Position p) {
        target.put("offset", p.offset()).put("epoch", p.epoch());
    }

    private static String text(ObjectNode f) {
        return f.toString();
    }
}
