package io.geows.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.geows.Envelope;
import io.geows.ErrorCode;
import io.geows.spi.Position;
import io.geows.spi.PresenceMember;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Encodes node-to-client frames to UTF-8 JSON bytes. A room message is encoded once per node and the
 * same bytes go to every local member. Thread-safe.
 */
public final class ServerFrames {
    private static final JsonFactory JSON = new JsonFactory();

    private ServerFrames() {
    }

    @FunctionalInterface
    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    static byte[] frame(String type, Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", type);
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void ref(JsonGenerator g, String ref) throws IOException {
        if (ref != null) {
            g.writeStringField("ref", ref);
        }
    }

    static void identity(JsonGenerator g, Envelope e) throws IOException {
        g.writeStringField("id", e.id());
        if (e.from() != null) {
            g.writeStringField("from", e.from());
        }
        g.writeStringField("region", e.region());
        g.writeStringField("node", e.node());
        g.writeNumberField("ts", e.timestamp());
        g.writeFieldName("data");
        g.writeRawValue(e.data());
    }

    public static byte[] message(Envelope e, long offset, String epoch) {
        if (plain(e.room()) && plain(epoch) && plain(e.id()) && (e.from() == null || plain(e.from()))
                && plain(e.region()) && plain(e.node())) {
            // The common case, written without a generator: every name needs no escaping (it is
            // printable ASCII without quotes or backslashes), data is JSON already. Same bytes as below.
            StringBuilder b = new StringBuilder(160 + e.data().length());
            b.append("{\"type\":\"message\",\"room\":\"").append(e.room())
                    .append("\",\"offset\":").append(offset)
                    .append(",\"epoch\":\"").append(epoch)
                    .append("\",\"id\":\"").append(e.id()).append('"');
            if (e.from() != null) {
                b.append(",\"from\":\"").append(e.from()).append('"');
            }
            b.append(",\"region\":\"").append(e.region())
                    .append("\",\"node\":\"").append(e.node())
                    .append("\",\"ts\":").append(e.timestamp())
                    .append(",\"data\":").append(e.data()).append('}');
            return b.toString().getBytes(StandardCharsets.UTF_8);
        }
        return frame("message", g -> {
            g.writeStringField("room", e.room());
            g.writeNumberField("offset", offset);
            g.writeStringField("epoch", epoch);
            identity(g, e);
        });
    }

    /** Whether {@code s} is written into JSON as it is: printable ASCII, no quote, no backslash. */
    static boolean plain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    public static byte[] direct(Envelope e) {
        return frame("direct", g -> identity(g, e));
    }

    public static byte[] broadcast(Envelope e) {
        return frame("broadcast", g -> identity(g, e));
    }

    public static byte[] welcome(String session, String user, String region, String node,
                                 Map<String, Boolean> recovered, Map<String, Position> positions, long expiresAt,
                                 String ref) {
        return frame("welcome", g -> {
            if (expiresAt > 0) {
                g.writeNumberField("expiresAt", expiresAt);
            }
            g.writeStringField("session", session);
            g.writeStringField("user", user);
            g.writeStringField("region", region);
            g.writeStringField("node", node);
            g.writeNumberField("protocol", ClientFrameDecoder.PROTOCOL_VERSION);
            g.writeObjectFieldStart("recovered");
            for (var e : recovered.entrySet()) {
                g.writeBooleanField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeObjectFieldStart("positions");
            for (var e : positions.entrySet()) {
                g.writeObjectFieldStart(e.getKey());
                g.writeNumberField("offset", e.getValue().offset());
                g.writeStringField("epoch", e.getValue().epoch());
                g.writeEndObject();
            }
            g.writeEndObject();
            ref(g, ref);
        });
    }

    public static byte[] joined(String room, Position position, Boolean recovered, String ref) {
        return frame("joined", g -> {
            g.writeStringField("room", room);
            g.writeNumberField("offset", position.offset());
            g.writeStringField("epoch", position.epoch());
            if (recovered != null) {
                g.writeBooleanField("recovered", recovered);
            }
            ref(g, ref);
        });
    }

    public static byte[] left(String room, String ref) {
        return frame("left", g -> {
            g.writeStringField("room", room);
            ref(g, ref);
        });
    }

    public static byte[] publishAck(String ref, String room, long offset, String epoch, boolean duplicate) {
        return frame("ack", g -> {
            ref(g, ref);
            g.writeStringField("room", room);
            g.writeNumberField("offset", offset);
            g.writeStringField("epoch", epoch);
            g.writeBooleanField("duplicate", duplicate);
        });
    }

    public static byte[] directAck(String ref, int delivered) {
        return frame("ack", g -> {
            ref(g, ref);
            g.writeNumberField("delivered", delivered);
        });
    }

    /** The answer to an {@code rpc}: the handler's result, JSON already checked. */
    public static byte[] rpcResult(String ref, String data) {
        return frame("rpc", g -> {
            ref(g, ref);
            g.writeFieldName("data");
            g.writeRawValue(data);
        });
    }

    /** Asks the client for a fresh token before {@code expiresAt} (epoch ms). */
    public static byte[] refresh(long expiresAt) {
        return frame("refresh", g -> g.writeNumberField("expiresAt", expiresAt));
    }

    /** The fresh token was accepted; it expires at {@code expiresAt} (epoch ms; 0: never). */
    public static byte[] refreshed(long expiresAt, String ref) {
        return frame("refreshed", g -> {
            if (expiresAt > 0) {
                g.writeNumberField("expiresAt", expiresAt);
            }
            ref(g, ref);
        });
    }

    public static byte[] error(ErrorCode code, String message, String ref) {
        return error(code.wireName(), message, ref);
    }

    /** An error with a code as it goes on the wire (the application's are {@code app.<code>}). */
    public static byte[] error(String code, String message, String ref) {
        return frame("error", g -> {
            g.writeStringField("code", code);
            g.writeStringField("message", message);
            ref(g, ref);
        });
    }

    /** {@code wrong_region}: the room is served only in {@code regions}; {@code url} a node there, or null. */
    public static byte[] wrongRegion(String field, String value, java.util.Collection<String> regions, String url,
                                     String message, String ref) {
        return frame("error", g -> {
            g.writeStringField("code", ErrorCode.WRONG_REGION.wireName());
            g.writeStringField("message", message);
            g.writeStringField(field, value);
            g.writeArrayFieldStart("regions");
            for (String r : regions) {
                g.writeString(r);
            }
            g.writeEndArray();
            if (url != null) {
                g.writeStringField("url", url);
            }
            ref(g, ref);
        });
    }

    public static byte[] presenceEvent(String room, String event, PresenceMember m) {
        return frame("presence", g -> {
            g.writeStringField("room", room);
            g.writeStringField("event", event);
            g.writeStringField("user", m.user());
            g.writeStringField("region", m.region());
            g.writeStringField("node", m.nodeId());
        });
    }

    /** A room's presence changes of one window: who joined, who left. */
    public static byte[] presenceDiff(String room, List<PresenceMember> joined, List<PresenceMember> left) {
        return frame("presence", g -> {
            g.writeStringField("room", room);
            g.writeStringField("event", "diff");
            BrokerCodec.writeMembers(g, "joined", joined);
            BrokerCodec.writeMembers(g, "left", left);
        });
    }

    /** The number of members of a room in every region ({@code PresenceMode.COUNT}). */
    public static byte[] presenceCount(String room, int count) {
        return frame("presence", g -> {
            g.writeStringField("room", room);
            g.writeStringField("event", "count");
            g.writeNumberField("count", count);
        });
    }

    public static byte[] presenceSnapshot(String room, List<PresenceMember> members, String ref) {
        return frame("presence", g -> {
            g.writeStringField("room", room);
            g.writeStringField("event", "snapshot");
            BrokerCodec.writeMembers(g, "members", members);
            ref(g, ref);
        });
    }

    public static byte[] goaway(String region, String url, String reason) {
        return frame("goaway", g -> {
            g.writeStringField("region", region);
            g.writeStringField("url", url);
            g.writeStringField("reason", reason);
        });
    }

    public static byte[] pong(String ref, long ts) {
        return frame("pong", g -> {
            ref(g, ref);
            g.writeNumberField("ts", ts);
        });
    }
}
