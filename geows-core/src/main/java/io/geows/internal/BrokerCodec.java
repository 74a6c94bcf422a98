package io.geows.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.geows.Envelope;
import io.geows.spi.PresenceMember;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.nio.charset.StandardCharsets;

/**
 * The node-to-node wire format on broker topics: compact JSON objects with a kind field {@code k}:
 * {@code room}, {@code direct}, {@code broadcast} (an {@link Envelope}; without {@code from} when the
 * application sent it), {@code presence} (a join/leave event or a diff) or {@code disconnect} (the
 * application's order to close sessions). Thread-safe.
 */
public final class BrokerCodec {
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(256).build())
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** A decoded broker payload. */
    public sealed interface Decoded {
    }

    /** A message. */
    public record Message(Envelope envelope) implements Decoded {
    }

    /** A presence event. */
    public record PresenceEvent(String room, String event, PresenceMember member) implements Decoded {
    }

    /**
     * One node's coalesced presence changes in a room: who joined, who left (both empty for rooms in
     * {@code COUNT} mode), and how many members the room has on that node ({@link #NO_COUNT} when the
     * sender did not say). {@code node} is null when the sender did not say.
     */
    public record PresenceDiff(String room, String node, List<PresenceMember> joined, List<PresenceMember> left,
                               int count) implements Decoded {
        public static final int NO_COUNT = -1;

        /** The node the changes happened on: {@code node}, else that of any listed member, else null. */
        public String origin() {
            if (node != null) {
                return node;
            }
            return !joined.isEmpty() ? joined.get(0).nodeId() : left.isEmpty() ? null : left.get(0).nodeId();
        }
    }

    /**
     * The application's order to close sessions, sent to every node: those of {@code user} (when set),
     * or the one session {@code session} (when set), with a close code and reason.
     */
    public record Disconnect(String id, String user, String session, int code, String reason, String region,
                             String node, long ts) implements Decoded {
    }

    /**
     * An order to erase a user's messages (sent to every node: each forgets its recent messages), and
     * for each residency zone the node that erases them there ({@code erasers}: zone to node id).
     */
    public record Erase(String id, String user, Map<String, String> erasers, String region, String node, long ts)
            implements Decoded {
    }

    /** An eraser's answer to the order's node: how many messages it removed in its zone, or why it could not. */
    public record Erased(String id, String zone, int removed, String error, String region, String node, long ts)
            implements Decoded {
    }

    private BrokerCodec() {
    }

    public static byte[] encodeErase(Erase e) {
        StringBuilder erasers = new StringBuilder();
        e.erasers().forEach((zone, node) -> erasers.append(erasers.length() == 0 ? "" : ",").append(zone).append('=')
                .append(node));
        return encodeFields("erase", e.id(), e.region(), e.node(), e.ts(), g -> {
            g.writeStringField("user", e.user());
            g.writeStringField("erasers", erasers.toString());
        });
    }

    public static byte[] encodeErased(Erased e) {
        return encodeFields("erased", e.id(), e.region(), e.node(), e.ts(), g -> {
            g.writeStringField("zone", e.zone());
            g.writeNumberField("count", e.removed());
            if (e.error() != null) {
                g.writeStringField("reason", e.error());
            }
        });
    }

    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] encodeFields(String kind, String id, String region, String node, long ts, Fields more) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("k", kind);
            g.writeStringField("id", id);
            more.write(g);
            g.writeStringField("region", region);
            g.writeStringField("node", node);
            g.writeNumberField("ts", ts);
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    private static Decoded erasure(String k, String id, String user, String erasers, String zone, Integer count,
                                   String reason, String region, String node, Long ts) {
        if (ts == null) {
            throw new IllegalArgumentException("missing ts");
        }
        if ("erase".equals(k)) {
            Map<String, String> byZone = new java.util.LinkedHashMap<>();
            for (String pair : require("erasers", erasers).split(",")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    byZone.put(pair.substring(0, eq), pair.substring(eq + 1));
                } else if (!pair.isEmpty()) {
                    throw new IllegalArgumentException("bad erasers");
                }
            }
            return new Erase(require("id", id), require("user", user), byZone, require("region", region),
                    require("node", node), ts);
        }
        if (count == null || count < 0) {
            throw new IllegalArgumentException("missing count");
        }
        return new Erased(require("id", id), require("zone", zone), count, reason, require("region", region),
                require("node", node), ts);
    }

    public static byte[] encodeDisconnect(Disconnect d) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("k", "disconnect");
            g.writeStringField("id", d.id());
            if (d.user() != null) {
                g.writeStringField("user", d.user());
            }
            if (d.session() != null) {
                g.writeStringField("session", d.session());
            }
            g.writeNumberField("code", d.code());
            g.writeStringField("reason", d.reason());
            g.writeStringField("region", d.region());
            g.writeStringField("node", d.node());
            g.writeNumberField("ts", d.ts());
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    private static Disconnect disconnect(String id, String user, String session, Integer code, String reason,
                                         String region, String node, Long ts) {
        if (user == null && session == null) {
            throw new IllegalArgumentException("a disconnect names neither user nor session");
        }
        if (code == null || ts == null) {
            throw new IllegalArgumentException("missing code or ts");
        }
        return new Disconnect(require("id", id), user, session, code, reason == null ? "" : reason,
                require("region", region), require("node", node), ts);
    }

    public static byte[] encode(Envelope e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("k", kind(e.kind()));
            g.writeStringField("id", e.id());
            if (e.room() != null) {
                g.writeStringField("room", e.room());
            }
            if (e.to() != null) {
                g.writeStringField("to", e.to());
            }
            if (e.from() != null) {
                g.writeStringField("from", e.from());
            }
            g.writeStringField("region", e.region());
            g.writeStringField("node", e.node());
            g.writeNumberField("ts", e.timestamp());
            g.writeFieldName("data");
            g.writeRawValue(e.data());
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    public static byte[] encodePresence(String room, String event, PresenceMember m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("k", "presence");
            g.writeStringField("room", room);
            g.writeStringField("event", event);
            g.writeStringField("user", m.user());
            g.writeStringField("region", m.region());
            g.writeStringField("node", m.nodeId());
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    public static byte[] encodePresenceDiff(String room, String node, List<PresenceMember> joined,
                                            List<PresenceMember> left, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + 64 * (joined.size() + left.size()));
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("k", "presence");
            g.writeStringField("room", room);
            g.writeStringField("event", "diff");
            g.writeStringField("node", node);
            writeMembers(g, "joined", joined);
            writeMembers(g, "left", left);
            if (count >= 0) {
                g.writeNumberField("count", count);
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    /** An array of {@code {user, region, node}}: the same shape in broker messages and client frames. */
    static void writeMembers(JsonGenerator g, String field, List<PresenceMember> members) throws IOException {
        g.writeArrayFieldStart(field);
        for (PresenceMember m : members) {
            g.writeStartObject();
            g.writeStringField("user", m.user());
            g.writeStringField("region", m.region());
            g.writeStringField("node", m.nodeId());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** Reads an array of {user, region, node} objects (the parser is on its START_ARRAY). */
    private static List<PresenceMember> readMembers(JsonParser p, String field) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new IllegalArgumentException(field + " is not an array");
        }
        List<PresenceMember> out = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String user = null;
            String region = null;
            String node = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                switch (f) {
                    case "user" -> user = string(p, f);
                    case "region" -> region = string(p, f);
                    case "node" -> node = string(p, f);
                    default -> p.skipChildren();
                }
            }
            out.add(new PresenceMember(require("user", user), require("region", region), require("node", node)));
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw new IllegalArgumentException(field + " holds something other than members");
        }
        return List.copyOf(out);
    }

    private static List<PresenceMember> treeMembers(JsonNode n, String field) {
        JsonNode a = n.get(field);
        if (a == null || !a.isArray()) {
            throw new IllegalArgumentException(field + " is not an array");
        }
        List<PresenceMember> out = new ArrayList<>();
        for (JsonNode m : a) {
            if (!m.isObject()) {
                throw new IllegalArgumentException(field + " holds something other than members");
            }
            out.add(new PresenceMember(text(m, "user", true), text(m, "region", true), text(m, "node", true)));
        }
        return List.copyOf(out);
    }

    /**
     * Decodes a payload whose origin is authenticated (its inter-region signature verified): one
     * streaming pass, and {@code data} is taken over as the bytes the origin node wrote (which it
     * validated and re-encoded when its client sent them), not parsed into a tree and written again.
     *
     * @throws IllegalArgumentException when it is not a well-formed geows broker message
     */
    public static Decoded decodeTrusted(byte[] payload) {
        try (JsonParser p = JSON.createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            String k = null;
            String id = null;
            String room = null;
            String to = null;
            String from = null;
            String region = null;
            String node = null;
            String event = null;
            String user = null;
            String session = null;
            String reason = null;
            String erasers = null;
            String zone = null;
            Integer code = null;
            List<PresenceMember> joined = null;
            List<PresenceMember> left = null;
            long ts = 0;
            boolean hasTs = false;
            int count = PresenceDiff.NO_COUNT;
            String data = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "data" -> {
                        int start = (int) p.currentTokenLocation().getByteOffset();
                        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                            p.skipChildren();
                        } else {
                            p.finishToken();
                        }
                        int end = (int) p.currentLocation().getByteOffset();
                        if (start < 0 || end < start) {
                            throw new IllegalArgumentException("bad data");
                        }
                        data = new String(payload, start, end - start, StandardCharsets.UTF_8);
                    }
                    case "ts" -> {
                        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                            throw new IllegalArgumentException("missing ts or data");
                        }
                        ts = p.getLongValue();
                        hasTs = true;
                    }
                    case "count" -> {
                        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT
                                || p.getIntValue() < 0) {
                            badCount();
                        }
                        count = p.getIntValue();
                    }
                    case "code" -> {
                        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
                            throw new IllegalArgumentException("code is not an integer");
                        }
                        code = p.getIntValue();
                    }
                    case "session" -> session = string(p, field);
                    case "reason" -> reason = string(p, field);
                    case "erasers" -> erasers = string(p, field);
                    case "zone" -> zone = string(p, field);
                    case "k" -> k = string(p, field);
                    case "id" -> id = string(p, field);
                    case "room" -> room = string(p, field);
                    case "to" -> to = string(p, field);
                    case "from" -> from = string(p, field);
                    case "region" -> region = string(p, field);
                    case "node" -> node = string(p, field);
                    case "event" -> event = string(p, field);
                    case "user" -> user = string(p, field);
                    case "joined" -> joined = readMembers(p, field);
                    case "left" -> left = readMembers(p, field);
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IllegalArgumentException("not a single JSON object");
            }
            require("k", k);
            if ("disconnect".equals(k)) {
                return disconnect(id, user, session, code, reason, region, node, hasTs ? ts : null);
            }
            if ("erase".equals(k) || "erased".equals(k)) {
                return erasure(k, id, user, erasers, zone, count == PresenceDiff.NO_COUNT ? null : count, reason, region,
                        node, hasTs ? ts : null);
            }
            if ("presence".equals(k) && "diff".equals(event)) {
                if (joined == null || left == null) {
                    throw new IllegalArgumentException("missing joined or left");
                }
                return new PresenceDiff(require("room", room), node, joined, left, count);
            }
            if ("presence".equals(k)) {
                if (!"join".equals(require("event", event)) && !"leave".equals(event)) {
                    throw new IllegalArgumentException("unknown presence event " + event);
                }
                return new PresenceEvent(require("room", room), event,
                        new PresenceMember(require("user", user), require("region", region), require("node", node)));
            }
            Envelope.Kind kind = switch (k) {
                case "room" -> Envelope.Kind.ROOM;
                case "direct" -> Envelope.Kind.DIRECT;
                case "broadcast" -> Envelope.Kind.BROADCAST;
                default -> throw new IllegalArgumentException("unknown kind " + k);
            };
            if (!hasTs || data == null) {
                throw new IllegalArgumentException("missing ts or data");
            }
            return new Message(new Envelope(kind, require("id", id), kind == Envelope.Kind.ROOM ? require("room", room) : room,
                    kind == Envelope.Kind.DIRECT ? require("to", to) : to,
                    from,
                    require("region", region), require("node", node), ts, data));
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
    }

    private static String string(JsonParser p, String field) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException(field + " is not a string");
        }
        return p.getText();
    }

    private static String require(String field, String value) {
        if (value == null) {
            throw new IllegalArgumentException("missing " + field);
        }
        return value;
    }

    /**
     * Decodes a payload.
     *
     * @throws IllegalArgumentException when it is not a well-formed geows broker message
     */
    public static Decoded decode(byte[] payload) {
        JsonNode n;
        try {
            n = MAPPER.readTree(payload);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        String k = text(n, "k", true);
        if ("disconnect".equals(k)) {
            JsonNode code = n.get("code");
            JsonNode ts = n.get("ts");
            return disconnect(text(n, "id", true), text(n, "user", false), text(n, "session", false),
                    code != null && code.isInt() ? code.intValue() : null, text(n, "reason", false),
                    text(n, "region", true), text(n, "node", true),
                    ts != null && ts.isIntegralNumber() && ts.canConvertToLong() ? ts.longValue() : null);
        }
        if ("erase".equals(k) || "erased".equals(k)) {
            JsonNode c = n.get("count");
            JsonNode ts = n.get("ts");
            return erasure(k, text(n, "id", true), text(n, "user", false), text(n, "erasers", false),
                    text(n, "zone", false), c != null && c.isInt() ? c.intValue() : null, text(n, "reason", false),
                    text(n, "region", true), text(n, "node", true),
                    ts != null && ts.isIntegralNumber() && ts.canConvertToLong() ? ts.longValue() : null);
        }
        if ("presence".equals(k) && "diff".equals(text(n, "event", true))) {
            JsonNode c = n.get("count");
            int count = c == null ? PresenceDiff.NO_COUNT : c.canConvertToInt() && c.isIntegralNumber() && c.intValue() >= 0
                    ? c.intValue() : badCount();
            return new PresenceDiff(text(n, "room", true), text(n, "node", false), treeMembers(n, "joined"),
                    treeMembers(n, "left"), count);
        }
        if ("presence".equals(k)) {
            String event = text(n, "event", true);
            if (!event.equals("join") && !event.equals("leave")) {
                throw new IllegalArgumentException("unknown presence event " + event);
            }
            return new PresenceEvent(text(n, "room", true), event,
                    new PresenceMember(text(n, "user", true), text(n, "region", true), text(n, "node", true)));
        }
        Envelope.Kind kind = switch (k) {
            case "room" -> Envelope.Kind.ROOM;
            case "direct" -> Envelope.Kind.DIRECT;
            case "broadcast" -> Envelope.Kind.BROADCAST;
            default -> throw new IllegalArgumentException("unknown kind " + k);
        };
        JsonNode ts = n.get("ts");
        JsonNode data = n.get("data");
        if (ts == null || !ts.isIntegralNumber() || data == null) {
            throw new IllegalArgumentException("missing ts or data");
        }
        // The whole payload parsed (strings decoded, so the UTF-8 is valid): take data as it was written,
        // so numbers keep their exact form.
        String raw = decodeTrusted(payload) instanceof Message m ? m.envelope().data() : null;
        return new Message(new Envelope(kind, text(n, "id", true), text(n, "room", kind == Envelope.Kind.ROOM),
                text(n, "to", kind == Envelope.Kind.DIRECT), text(n, "from", false),
                text(n, "region", true), text(n, "node", true), ts.longValue(), raw));
    }

    private static String kind(Envelope.Kind kind) {
        return switch (kind) {
            case ROOM -> "room";
            case DIRECT -> "direct";
            case BROADCAST -> "broadcast";
        };
    }

    private static int badCount() {
        throw new IllegalArgumentException("count is not a non-negative integer");
    }

    private static String text(JsonNode n, String field, boolean required) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new IllegalArgumentException("missing " + field);
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(field + " is not a string");
        }
        return v.textValue();
    }
}
