package io.geows.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.geows.ErrorCode;
import io.geows.spi.Position;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientFrameDecoderTests {
    private final ClientFrameDecoder decoder = new ClientFrameDecoder(8, 100);

    @Test
    void decodesHelloWithResumePositions() throws Exception {
        ClientFrame f = decoder.decode("{\"type\":\"hello\",\"token\":\"t\",\"protocol\":1,\"id\":\"h\","
                + "\"resume\":{\"lobby\":{\"offset\":41,\"epoch\":\"e1\"}}}");
        assertThat(f).isEqualTo(new ClientFrame.Hello("h", "t", 1,
                java.util.Map.of("lobby", new Position(41, "e1"))));
    }

    @Test
    void publishKeepsDataAsJsonText() throws Exception {
        ClientFrame f = decoder.decode("{\"type\":\"publish\",\"room\":\"r\",\"id\":\"m1\",\"data\":{\"a\":[1,2,\"x\"]}}");
        assertThat(f).isEqualTo(new ClientFrame.Publish("m1", "r", "{\"a\":[1,2,\"x\"]}"));
        ClientFrame nul = decoder.decode("{\"type\":\"publish\",\"room\":\"r\",\"id\":\"m1\",\"data\":null}");
        assertThat(((ClientFrame.Publish) nul).data()).isEqualTo("null");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "not json                                                    | BAD_JSON",
            "[1,2]                                                       | BAD_JSON",
            "{\"type\":\"ping\",\"type\":\"ping\"}                      | BAD_JSON",
            "{\"type\":\"ping\"}{\"type\":\"ping\",\"from\":\"eve\"}    | BAD_JSON",
            "{\"type\":\"ping\"}garbage                                  | BAD_JSON",
            "{\"type\":\"publish\",\"room\":\"r\",\"id\":\"m\",\"data\":[1e999]} | BAD_JSON",
            "{\"type\":\"ping\",\"x\":[[[[[[[[[[1]]]]]]]]]]}            | BAD_JSON",
            "{\"no\":\"type\"}                                          | UNKNOWN_TYPE",
            "{\"type\":\"launch\"}                                      | UNKNOWN_TYPE",
            "{\"type\":7}                                               | UNKNOWN_TYPE",
            "{\"type\":\"join\"}                                        | BAD_REQUEST",
            "{\"type\":\"join\",\"room\":\"\"}                          | BAD_REQUEST",
            "{\"type\":\"join\",\"room\":\"a\\u0000b\"}                 | BAD_REQUEST",
            "{\"type\":\"join\",\"room\":\"r\",\"since\":{\"offset\":-1,\"epoch\":\"e\"}} | BAD_REQUEST",
            "{\"type\":\"publish\",\"room\":\"r\",\"data\":1}           | BAD_REQUEST",
            "{\"type\":\"publish\",\"room\":\"r\",\"id\":\"m\"}         | BAD_REQUEST",
            "{\"type\":\"publish\",\"room\":\"r\",\"id\":\"m\",\"data\":1,\"from\":\"eve\"} | FORBIDDEN_FIELD",
            "{\"type\":\"publish\",\"room\":\"r\",\"id\":\"m\",\"data\":1,\"region\":\"x\"} | FORBIDDEN_FIELD",
            "{\"type\":\"direct\",\"id\":\"m\",\"data\":1}              | BAD_REQUEST",
            "{\"type\":\"hello\",\"token\":\"t\"}                       | BAD_REQUEST",
            "{\"type\":\"hello\",\"token\":\"t\",\"protocol\":\"1\"}    | BAD_REQUEST",
            "{\"type\":\"ping\",\"id\":5}                               | BAD_REQUEST",
    })
    void rejectsWithStableCode(String frame, ErrorCode code) {
        assertThatThrownBy(() -> decoder.decode(frame))
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    @Test
    void longStringsAreRefusedByTheReadConstraints() {
        String big = "x".repeat(500);
        assertThatThrownBy(() -> decoder.decode("{\"type\":\"publish\",\"room\":\"r\",\"id\":\"m\",\"data\":\"" + big + "\"}"))
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_JSON));
    }

    @Test
    void rpcNeedsAnIdAndAMethodAndTakesAnyData() throws Exception {
        assertThat(decoder.decode("{\"type\":\"rpc\",\"id\":\"r1\",\"method\":\"order.status\",\"data\":{\"o\":1}}"))
                .isEqualTo(new ClientFrame.Rpc("r1", "order.status", "{\"o\":1}"));
        assertThat(decoder.decode("{\"type\":\"rpc\",\"id\":\"r2\",\"method\":\"ping\"}"))
                .isEqualTo(new ClientFrame.Rpc("r2", "ping", "null"));
        assertThatThrownBy(() -> decoder.decode("{\"type\":\"rpc\",\"method\":\"m\"}"))
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThatThrownBy(() -> decoder.decode("{\"type\":\"rpc\",\"id\":\"r3\"}"))
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.ref()).isEqualTo("r3"));
        ClientFrameDecoder roomy = new ClientFrameDecoder(8, 10_000); // (the string limit would refuse it first)
        assertThatThrownBy(() -> roomy.decode("{\"type\":\"rpc\",\"id\":\"r4\",\"method\":\"" + "m".repeat(129) + "\"}"))
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }

    @Test
    void errorsCarryTheFrameIdWhenKnown() {
        assertThatThrownBy(() -> decoder.decode("{\"type\":\"publish\",\"id\":\"m9\",\"data\":1}"))
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.ref()).isEqualTo("m9"));
    }

    @Test
    void dataIsPassedThroughExactlyAsWritten() throws Exception {
        for (String data : List.of("1E2", "-0", "0.1000000000000000000000000001", "12345678901234567890123",
                "{ \"amount\" : 19.990, \"rate\":1e-7,\"list\":[1.0, -0.0 ,2E+3] }", "\"\\u00e9t\\u00e9\"", "true",
                "[]", "null")) {
            ClientFrame f = decoder.decode("{\"type\":\"publish\",\"room\":\"r\",\"id\":\"m1\",\"data\":" + data + "}");
            assertThat(((ClientFrame.Publish) f).data()).as(data).isEqualTo(data);
            ClientFrame d = decoder.decode("{\"data\":" + data + ",\"type\":\"direct\",\"to\":\"bob\",\"id\":\"d1\"}");
            assertThat(((ClientFrame.Direct) d).data()).as(data).isEqualTo(data);
        }
    }

    @Test
    void roomNamesAreCountedInCharactersNotUtf16Units() throws Exception {
        ClientFrameDecoder decoder = new ClientFrameDecoder(8, 10_000);
        String emoji = "\uD83D\uDE00";
        String max = emoji.repeat(128);
        ClientFrame f = decoder.decode("{\"type\":\"join\",\"room\":\"" + max + "\",\"id\":\"j\"}");
        assertThat(((ClientFrame.Join) f).room()).isEqualTo(max);
        assertThatThrownBy(() -> decoder.decode("{\"type\":\"join\",\"room\":\"" + max + emoji + "\",\"id\":\"j\"}"))
                .isInstanceOf(FrameException.class).hasMessageContaining("1-128 characters");
        assertThatThrownBy(() -> decoder.decode("{\"type\":\"join\",\"room\":\"" + "a".repeat(129) + "\",\"id\":\"j\"}"))
                .isInstanceOf(FrameException.class);
    }
}
