package io.geows.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.geows.ErrorCode;
import io.geows.spi.Position;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Decodes and validates client frames. Limits first: the transport already refused frames over the
 * size limit; Jackson's read constraints refuse deep nesting and long strings while parsing.
 * Thread-safe.
 */
public final class ClientFrameDecoder {
    public static final int PROTOCOL_VERSION = 1;
    static final int MAX_ID_LENGTH = 64;
    static final int MAX_ROOM_LENGTH = 128;
    static final int MAX_USER_LENGTH = 128;
    static final int MAX_TOKEN_LENGTH = 8192;
    static final int MAX_METHOD_LENGTH = 128;
    private static final Set<String> NODE_FIELDS = Set.of("from", "region", "node", "offset", "epoch", "ts");

    private final ObjectMapper mapper;

    public ClientFrameDecoder(int maxJsonDepth, int maxStringLength) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxJsonDepth)
                        .maxStringLength(maxStringLength)
                        .maxNumberLength(64)
                        .maxNameLength(256)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        // One object per frame: text after it would be ignored, and could hide fields from this check.
        this.mapper = new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** Decodes one text frame. */
    public ClientFrame decode(String text) throws FrameException {
        JsonNode tree;
        try {
            tree = mapper.readTree(text);
        } catch (StreamConstraintsException e) {
            throw new FrameException(ErrorCode.BAD_JSON, "frame exceeds a JSON limit: " + e.getOriginalMessage(), null);
        } catch (JsonProcessingException e) {
            throw new FrameException(ErrorCode.BAD_JSON, "frame is not valid JSON: " + e.getOriginalMessage(), null);
        }
        if (!(tree instanceof ObjectNode obj)) {
            throw new FrameException(ErrorCode.BAD_JSON, "frame must be a JSON object", null);
        }
        String id = optionalId(obj);
        JsonNode type = obj.get("type");
        if (type == null || !type.isTextual()) {
            throw new FrameException(ErrorCode.UNKNOWN_TYPE, "frame has no 'type' string", id);
        }
        for (String field : NODE_FIELDS) {
            if (obj.has(field)) {
                throw new FrameException(ErrorCode.FORBIDDEN_FIELD,
                        "field '" + field + "' is set by the node, not the client", id);
            }
        }
        switch (type.textValue()) {
            case "hello":
                return hello(obj, id);
            case "refresh":
                return new ClientFrame.Refresh(id, string(obj, "token", MAX_TOKEN_LENGTH, id));
            case "join":
                return new ClientFrame.Join(id, room(obj, id), optionalPosition(obj.get("since"), "since", id));
            case "leave":
                return new ClientFrame.Leave(id, room(obj, id));
            case "publish":
                return new ClientFrame.Publish(requiredId(id), room(obj, id), data(obj, text, id));
            case "direct":
                return new ClientFrame.Direct(requiredId(id),
                        string(obj, "to", MAX_USER_LENGTH, id), data(obj, text, id));
            case "presence":
                return new ClientFrame.PresenceQuery(id, room(obj, id));
            case "rpc":
                return new ClientFrame.Rpc(requiredId(id), string(obj, "method", MAX_METHOD_LENGTH, id),
                        obj.has("data") ? data(obj, text, id) : "null");
            case "ping":
                return new ClientFrame.Ping(id);
            default:
                throw new FrameException(ErrorCode.UNKNOWN_TYPE, "unknown frame type '" + clip(type.textValue()) + "'", id);
        }
    }

    /**
     * The {@code id} of a frame without validating the rest, or {@code null}: to refer to a frame
     * that is refused before it is decoded (over the rate limit). Never throws.
     */
    public String peekId(String text) {
        try {
            if (mapper.readTree(text) instanceof ObjectNode obj) {
                return optionalId(obj);
            }
        } catch (JsonProcessingException | FrameException | RuntimeException e) {
            // no usable id
        }
        return null;
    }

    private ClientFrame.Hello hello(ObjectNode obj, String id) throws FrameException {
        String token = string(obj, "token", MAX_TOKEN_LENGTH, id);
        JsonNode protocol = obj.get("protocol");
        if (protocol == null || !protocol.isIntegralNumber() || !protocol.canConvertToInt()) {
            throw new FrameException(ErrorCode.BAD_REQUEST, "'protocol' must be an integer (this node speaks "
                    + PROTOCOL_VERSION + ")", id);
        }
        Map<String, Position> resume = new LinkedHashMap<>();
        JsonNode r = obj.get("resume");
        if (r != null && !r.isNull()) {
            if (!r.isObject()) {
                throw new FrameException(ErrorCode.BAD_REQUEST, "'resume' must be an object: room -> {offset, epoch}", id);
            }
            var fields = r.fields();
            while (fields.hasNext()) {
                var e = fields.next();
                validRoom(e.getKey(), id);
                resume.put(e.getKey(), optionalPosition(e.getValue(), "resume." + clip(e.getKey()), id));
            }
        }
        return new ClientFrame.Hello(id, token, protocol.intValue(), resume);
    }

    private static String optionalId(ObjectNode obj) throws FrameException {
        JsonNode id = obj.get("id");
        if (id == null || id.isNull()) {
            return null;
        }
        if (!id.isTextual() || id.textValue().isEmpty() || id.textValue().length() > MAX_ID_LENGTH
                || !wellFormed(id.textValue())) {
            throw new FrameException(ErrorCode.BAD_REQUEST, "'id' must be a string of 1-" + MAX_ID_LENGTH + " characters", null);
        }
        return id.textValue();
    }

    private static String requiredId(String id) throws FrameException {
        if (id == null) {
            throw new FrameException(ErrorCode.BAD_REQUEST, "'id' (the message id) is required", null);
        }
        return id;
    }

    private static String room(ObjectNode obj, String id) throws FrameException {
        JsonNode room = obj.get("room");
        if (room == null || !room.isTextual()) {
            throw new FrameException(ErrorCode.BAD_REQUEST, "'room' must be a string", id);
        }
        return validRoom(room.textValue(), id);
    }

    static String validRoom(String room, String id) throws FrameException {
        // characters are code points: an emoji is one, not two UTF-16 units
        if (room.isEmpty() || room.length() > 2 * MAX_ROOM_LENGTH || room.codePointCount(0, room.length()) > MAX_ROOM_LENGTH) {
            throw new FrameException(ErrorCode.BAD_REQUEST, "room name must have 1-" + MAX_ROOM_LENGTH + " characters", id);
        }
        for (int i = 0; i < room.length(); i++) {
            if (Character.isISOControl(room.charAt(i))) {
                throw new FrameException(ErrorCode.BAD_REQUEST, "room name must not contain control characters", id);
            }
        }
        if (!wellFormed(room)) {
            throw new FrameException(ErrorCode.BAD_REQUEST, "room name must be valid Unicode (no lone surrogates)", id);
        }
        return room;
    }

    /** Whether every surrogate is paired: such strings encode to UTF-8 and back unchanged. */
    static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static String string(ObjectNode obj, String field, int maxLength, String id) throws FrameException {
        JsonNode v = obj.get(field);
        if (v == null || !v.isTextual() || v.textValue().isEmpty() || v.textValue().length() > maxLength
                || !wellFormed(v.textValue())) {
            throw new FrameException(ErrorCode.BAD_REQUEST,
                    "'" + field + "' must be a string of 1-" + maxLength + " characters", id);
        }
        return v.textValue();
    }

    private String data(ObjectNode obj, String text, String id) throws FrameException {
        JsonNode data = obj.get("data");
        if (data == null) {
            throw new FrameException(ErrorCode.BAD_REQUEST, "'data' is required (any JSON value)", id);
        }
        if (hasInfinity(data)) {
            throw new FrameException(ErrorCode.BAD_JSON, "'data' has a number out of the double range", id);
        }
        // Exactly as the client wrote it: numbers keep their digits and form (1E2, 0.10, -0), which a
        // tree would normalise. The frame already parsed as a whole, so the span is valid JSON.
        String raw = rawData(text);
        if (raw != null && wellFormed(raw)) {
            return raw;
        }
        try {
            // Via UTF-8 bytes: the byte generator escapes what a String cannot carry (lone surrogates),
            // so the text is safe to embed raw in every frame later.
            return new String(mapper.writeValueAsBytes(data), StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new FrameException(ErrorCode.BAD_JSON, "'data' cannot be re-encoded", id);
        }
    }

    /** The text of the top-level {@code data} value of a frame that parsed, or {@code null}. */
    private String rawData(String text) {
        try (JsonParser p = mapper.getFactory().createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (!"data".equals(field)) {
                    p.skipChildren();
                    continue;
                }
                int start = (int) p.currentTokenLocation().getCharOffset();
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    p.skipChildren();
                } else {
                    p.finishToken();
                }
                int end = (int) p.currentLocation().getCharOffset();
                return start >= 0 && end > start && end <= text.length() ? text.substring(start, end) : null;
            }
            return null;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /** Whether a number overflowed to infinity: it would be re-encoded as the string "Infinity". */
    private static boolean hasInfinity(JsonNode node) {
        if (node.isFloatingPointNumber()) {
            return Double.isInfinite(node.doubleValue());
        }
        for (JsonNode child : node) {
            if (hasInfinity(child)) {
                return true;
            }
        }
        return false;
    }

    private static Position optionalPosition(JsonNode node, String field, String id) throws FrameException {
        if (node == null || node.isNull()) {
            return null;
        }
        JsonNode offset = node.get("offset");
        JsonNode epoch = node.get("epoch");
        if (!node.isObject() || offset == null || !offset.canConvertToLong() || !offset.isIntegralNumber()
                || offset.longValue() < 0 || epoch == null || !epoch.isTextual() || epoch.textValue().length() > MAX_ID_LENGTH
                || !wellFormed(epoch.textValue())) {
            throw new FrameException(ErrorCode.BAD_REQUEST,
                    "'" + field + "' must be {\"offset\": integer >= 0, \"epoch\": string}", id);
        }
        return new Position(offset.longValue(), epoch.textValue());
    }

    private static String clip(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "...";
    }
}
