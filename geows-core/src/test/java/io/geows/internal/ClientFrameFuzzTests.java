package io.geows.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.geows.ErrorCode;
import io.geows.NodeLimits;
import io.geows.spi.Position;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Fuzzes {@link ClientFrameDecoder} with arbitrary text, as a client could send it. The decoder may
 * only refuse a frame with a {@link FrameException} carrying one of its codes; a frame it accepts must
 * have the fields the node relies on, checked against a second, strict reading of the same text.
 *
 * <p>In {@code mvn test} this runs on the seed corpus in {@code ClientFrameFuzzTestsInputs}; the
 * {@code fuzz-client-frames} execution in this module's pom fuzzes it for {@code maxDuration}.
 */
class ClientFrameFuzzTests {
    private static final Set<ErrorCode> DECODER_CODES =
            EnumSet.of(ErrorCode.BAD_JSON, ErrorCode.BAD_REQUEST, ErrorCode.UNKNOWN_TYPE, ErrorCode.FORBIDDEN_FIELD);
    private static final Set<String> NODE_FIELDS = Set.of("from", "region", "node", "offset", "epoch", "ts");
    /** Jackson clips the tokens it quotes in errors; the decoder clips the rest, so errors stay short. */
    private static final int MAX_ERROR_MESSAGE_LENGTH = 1024;

    private final ClientFrameDecoder decoder =
            new ClientFrameDecoder(NodeLimits.DEFAULT_MAX_JSON_DEPTH, NodeLimits.DEFAULT_MAX_STRING_LENGTH);
    // The reference reading: one JSON value and nothing after it, no duplicate keys.
    private final ObjectMapper strict = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    // The protocol's words: the decoder looks fields up in a map, which gives the fuzzer no hint of them.
    @DictionaryEntries({"\"type\":", "\"hello\"", "\"join\"", "\"leave\"", "\"publish\"", "\"direct\"",
            "\"presence\"", "\"ping\"", "\"id\":", "\"room\":", "\"to\":", "\"data\":", "\"token\":",
            "\"protocol\":", "\"resume\":", "\"since\":", "\"offset\":", "\"epoch\":", "\"from\":",
            "\"region\":", "\"node\":", "\"ts\":", "\\ud800", "\\udc00", "\\u0000", "1e999", "-0",
            "9223372036854775808", "null", "true"})
    @FuzzTest(maxDuration = "25s")
    void decodesOnlyValidFrames(byte[] input) throws Exception {
        // What the transport hands over: the text of a WebSocket text frame, which is UTF-8.
        String text = new String(input, StandardCharsets.UTF_8);
        ClientFrame frame;
        try {
            frame = decoder.decode(text);
        } catch (FrameException e) {
            assertThat(e.code()).isIn(DECODER_CODES);
            assertThat(e.getMessage()).isNotEmpty().hasSizeLessThanOrEqualTo(MAX_ERROR_MESSAGE_LENGTH);
            // The ref is echoed to the client: only an id that passed validation may be.
            if (e.ref() != null) {
                assertValidId(e.ref());
            }
            return;
        }
        JsonNode reference = strict.readTree(text);
        assertThat(reference.isObject()).as("accepted frame is one JSON object").isTrue();
        assertThat(reference.fieldNames()).toIterable().as("fields of an accepted frame")
                .doesNotContainAnyElementsOf(NODE_FIELDS);
        assertThat(reference.get("type").textValue()).isEqualTo(typeOf(frame));
        assertThat(frame.id()).isEqualTo(reference.path("id").textValue());
        if (frame.id() != null) {
            assertValidId(frame.id());
        }
        assertFields(frame, reference);
        // data is passed through as written: a piece of the frame's own text
        if (frame instanceof ClientFrame.Publish p) {
            assertThat(text).contains(p.data());
        } else if (frame instanceof ClientFrame.Direct d) {
            assertThat(text).contains(d.data());
        }
    }

    private void assertFields(ClientFrame frame, JsonNode reference) throws JsonProcessingException {
        if (frame instanceof ClientFrame.Hello h) {
            assertThat(h.token()).isEqualTo(reference.get("token").textValue());
            assertValidString(h.token(), ClientFrameDecoder.MAX_TOKEN_LENGTH);
            assertThat(h.protocol()).isEqualTo(reference.get("protocol").intValue());
            assertThat(h.resume()).hasSize(reference.path("resume").size());
            for (Map.Entry<String, Position> e : h.resume().entrySet()) {
                assertValidRoom(e.getKey());
                assertValidPosition(e.getValue(), reference.get("resume").get(e.getKey()));
            }
        } else if (frame instanceof ClientFrame.Refresh r) {
            assertThat(r.token()).isEqualTo(reference.get("token").textValue());
            assertValidString(r.token(), ClientFrameDecoder.MAX_TOKEN_LENGTH);
        } else if (frame instanceof ClientFrame.Join j) {
            assertRoom(j.room(), reference);
            if (j.since() != null) {
                assertValidPosition(j.since(), reference.get("since"));
            }
        } else if (frame instanceof ClientFrame.Leave l) {
            assertRoom(l.room(), reference);
        } else if (frame instanceof ClientFrame.PresenceQuery p) {
            assertRoom(p.room(), reference);
        } else if (frame instanceof ClientFrame.Publish p) {
            assertThat(p.id()).as("a publish needs a message id").isNotNull();
            assertRoom(p.room(), reference);
            assertSameData(p.data(), reference.get("data"));
        } else if (frame instanceof ClientFrame.Direct d) {
            assertThat(d.id()).as("a direct message needs a message id").isNotNull();
            assertThat(d.to()).isEqualTo(reference.get("to").textValue());
            assertValidString(d.to(), ClientFrameDecoder.MAX_USER_LENGTH);
            assertSameData(d.data(), reference.get("data"));
        }
    }

    /** The data text is embedded raw in the frames sent to every member: it must be exactly the value sent. */
    private void assertSameData(String data, JsonNode sent) throws JsonProcessingException {
        assertThat(ClientFrameDecoder.wellFormed(data)).as("data is valid Unicode").isTrue();
        assertThat(strict.readTree(data)).as("data re-read").isEqualTo(sent);
    }

    private static void assertRoom(String room, JsonNode reference) {
        assertThat(room).isEqualTo(reference.get("room").textValue());
        assertValidRoom(room);
    }

    private static void assertValidRoom(String room) {
        // counted in characters (code points), not UTF-16 units
        assertValidString(room, 2 * ClientFrameDecoder.MAX_ROOM_LENGTH);
        assertThat(room.codePointCount(0, room.length())).isLessThanOrEqualTo(ClientFrameDecoder.MAX_ROOM_LENGTH);
        assertThat(room.chars().noneMatch(Character::isISOControl)).as("room without control characters").isTrue();
    }

    private static void assertValidId(String id) {
        assertValidString(id, ClientFrameDecoder.MAX_ID_LENGTH);
    }

    private static void assertValidString(String s, int maxLength) {
        assertThat(s).isNotEmpty().hasSizeLessThanOrEqualTo(maxLength);
        assertThat(ClientFrameDecoder.wellFormed(s)).as("valid Unicode: %s", s).isTrue();
    }

    private static void assertValidPosition(Position p, JsonNode sent) {
        assertThat(p.offset()).isNotNegative().isEqualTo(sent.get("offset").longValue());
        assertThat(p.epoch()).isEqualTo(sent.get("epoch").textValue()).hasSizeLessThanOrEqualTo(ClientFrameDecoder.MAX_ID_LENGTH);
        assertThat(ClientFrameDecoder.wellFormed(p.epoch())).as("epoch is valid Unicode").isTrue();
    }

    private static String typeOf(ClientFrame frame) {
        if (frame instanceof ClientFrame.Hello) {
            return "hello";
        } else if (frame instanceof ClientFrame.Join) {
            return "join";
        } else if (frame instanceof ClientFrame.Leave) {
            return "leave";
        } else if (frame instanceof ClientFrame.Publish) {
            return "publish";
        } else if (frame instanceof ClientFrame.Direct) {
            return "direct";
        } else if (frame instanceof ClientFrame.PresenceQuery) {
            return "presence";
        } else if (frame instanceof ClientFrame.Refresh) {
            return "refresh";
        }
        return "ping";
    }
}
