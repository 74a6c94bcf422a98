package io.geows.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.Authenticator;
import io.geows.CloseCodes;
import io.geows.GeoWsNode;
import io.geows.NodeLimits;
import io.geows.memory.InMemoryBroker;
import io.geows.testkit.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every malformed or hostile frame gets its documented answer (docs/protocol.md), and a
 * well-behaved client on the same node sees no disruption.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputIntegrationTests {
    private static final String ROOM = "lobby";
    private GeoWsNode node;
    private TestClient bystander;
    private TestClient publisher;
    private final List<String> published = new ArrayList<>();

    @BeforeAll
    void start() {
        node = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east").nodeId("bad-input-1").port(0)
                .broker(new InMemoryBroker().connect("bad-input-1"))
                .limits(NodeLimits.builder().maxFrameBytes(16 * 1024).maxStringLength(4096).maxJsonDepth(16)
                        .maxRoomsPerSession(3).helloTimeout(Duration.ofMillis(500)).build())
                .drainTimeout(Duration.ZERO)
                .build().start();
        bystander = TestClient.connectAs(node.uri(), "bystander");
        bystander.join(ROOM);
        publisher = TestClient.connectAs(node.uri(), "publisher");
        publisher.join(ROOM);
    }

    @AfterAll
    void stop() {
        // The well-behaved client saw every message published between the hostile frames, in order.
        publisher.publish(ROOM, "end", "end");
        List<String> got = new ArrayList<>();
        while (true) {
            String id = bystander.awaitMessage(ROOM).path("id").asText();
            if (id.equals("end")) {
                break;
            }
            got.add(id);
        }
        assertThat(got).containsExactlyElementsOf(published);
        assertThat(bystander.isOpen()).isTrue();
        assertThat(bystander.seen()).noneMatch(f -> "error".equals(TestClient.type(f)));
        bystander.close();
        publisher.close();
        node.close();
    }

    private void interleaveGoodTraffic() {
        String id = "good-" + published.size();
        assertThat(publisher.publish(ROOM, id, Map.of("n", published.size())).path("type").asText()).isEqualTo("ack");
        published.add(id);
    }

    static Stream<Arguments> errorFrames() {
        String deep = "[".repeat(40) + "]".repeat(40);
        return Stream.of(
                Arguments.of("not JSON", "hello?", "bad_json", null),
                Arguments.of("a JSON array", "[1,2,3]", "bad_json", null),
                Arguments.of("a JSON string", "\"ping\"", "bad_json", null),
                Arguments.of("nesting deeper than the limit", "{\"type\":\"ping\",\"x\":" + deep + "}", "bad_json", null),
                Arguments.of("a string longer than the limit",
                        "{\"type\":\"publish\",\"room\":\"lobby\",\"id\":\"big\",\"data\":\"" + "x".repeat(5000) + "\"}", "bad_json", null),
                Arguments.of("duplicate keys", "{\"type\":\"ping\",\"type\":\"join\"}", "bad_json", null),
                Arguments.of("no type", "{\"room\":\"lobby\"}", "unknown_type", null),
                Arguments.of("an unknown type", "{\"type\":\"selfdestruct\",\"id\":\"u1\"}", "unknown_type", "u1"),
                Arguments.of("a join without room", "{\"type\":\"join\",\"id\":\"j1\"}", "bad_request", "j1"),
                Arguments.of("a room name too long", "{\"type\":\"join\",\"room\":\"" + "r".repeat(200) + "\",\"id\":\"j2\"}", "bad_request", "j2"),
                Arguments.of("a publish without id", "{\"type\":\"publish\",\"room\":\"lobby\",\"data\":1}", "bad_request", null),
                Arguments.of("a publish without data", "{\"type\":\"publish\",\"room\":\"lobby\",\"id\":\"p1\"}", "bad_request", "p1"),
                Arguments.of("a forged from", "{\"type\":\"publish\",\"room\":\"lobby\",\"id\":\"p2\",\"from\":\"bystander\",\"data\":1}", "forbidden_field", "p2"),
                Arguments.of("a forged region", "{\"type\":\"publish\",\"room\":\"lobby\",\"id\":\"p3\",\"region\":\"eu-west\",\"data\":1}", "forbidden_field", "p3"),
                Arguments.of("a forged node", "{\"type\":\"publish\",\"room\":\"lobby\",\"id\":\"p4\",\"node\":\"x\",\"data\":1}", "forbidden_field", "p4"),
                Arguments.of("a forged offset", "{\"type\":\"publish\",\"room\":\"lobby\",\"id\":\"p5\",\"offset\":1,\"data\":1}", "forbidden_field", "p5"),
                Arguments.of("a publish to a room not joined", "{\"type\":\"publish\",\"room\":\"elsewhere\",\"id\":\"p6\",\"data\":1}", "not_member", "p6"),
                Arguments.of("presence of a room not joined", "{\"type\":\"presence\",\"room\":\"elsewhere\",\"id\":\"q1\"}", "not_member", "q1"),
                Arguments.of("a leave of a room not joined", "{\"type\":\"leave\",\"room\":\"elsewhere\",\"id\":\"l1\"}", "not_member", "l1"),
                Arguments.of("a second hello", "{\"type\":\"hello\",\"token\":\"x\",\"protocol\":1,\"id\":\"h2\"}", "already_authenticated", "h2"),
                Arguments.of("a bad since", "{\"type\":\"join\",\"room\":\"x\",\"since\":{\"offset\":\"a\"},\"id\":\"j3\"}", "bad_request", "j3"));
    }

    @ParameterizedTest(name = "{0} -> error {2}")
    @MethodSource("errorFrames")
    @DisplayName("an authenticated session gets an error frame and stays open")
    void errorFrameAndSessionStaysOpen(String what, String frame, String code, String ref) {
        try (TestClient c = TestClient.connectAs(node.uri(), "mallory")) {
            c.join(ROOM);
            c.sendRaw(frame);
            JsonNode err = c.awaitType("error");
            assertThat(err.path("code").asText()).as(what).isEqualTo(code);
            assertThat(err.path("message").asText()).isNotBlank();
            if (ref != null) {
                assertThat(err.path("ref").asText()).isEqualTo(ref);
            }
            c.send(Map.of("type", "ping", "id", "still-there"));
            assertThat(c.awaitRef("still-there").path("type").asText()).isEqualTo("pong");
        }
        interleaveGoodTraffic();
    }

    @Test
    @DisplayName("frames before hello get not_authenticated")
    void framesBeforeHelloAreRefused() {
        try (TestClient c = TestClient.connect(node.uri())) {
            c.send(Map.of("type", "join", "room", ROOM, "id", "early"));
            JsonNode err = c.awaitRef("early");
            assertThat(err.path("code").asText()).isEqualTo("not_authenticated");
            c.send(Map.of("type", "hello", "token", "late", "protocol", 1));
            assertThat(c.awaitType("welcome").path("user").asText()).isEqualTo("late");
        }
        interleaveGoodTraffic();
    }

    @Test
    @DisplayName("the room limit gives room_limit")
    void roomLimit() {
        try (TestClient c = TestClient.connectAs(node.uri(), "collector")) {
            c.join("a");
            c.join("b");
            c.join("c");
            c.send(Map.of("type", "join", "room", "d", "id", "j4"));
            assertThat(c.awaitRef("j4").path("code").asText()).isEqualTo("room_limit");
        }
        interleaveGoodTraffic();
    }

    static Stream<Arguments> closingFrames() {
        return Stream.of(
                Arguments.of("a frame over the size limit", "{\"type\":\"ping\",\"x\":\"" + "y".repeat(20_000) + "\"}",
                        CloseCodes.TOO_BIG, null),
                Arguments.of("a refused token", "{\"type\":\"hello\",\"token\":\"not a valid name!\",\"protocol\":1,\"id\":\"h\"}",
                        CloseCodes.UNAUTHORIZED, "unauthorized"),
                Arguments.of("an unsupported protocol version", "{\"type\":\"hello\",\"token\":\"eve\",\"protocol\":2,\"id\":\"h\"}",
                        CloseCodes.UNSUPPORTED_PROTOCOL, "unsupported_protocol"));
    }

    @ParameterizedTest(name = "{0} -> close {2}")
    @MethodSource("closingFrames")
    @DisplayName("hostile frames that end the session close it with the documented code")
    void closesWithCode(String what, String frame, int closeCode, String errorCode) {
        try (TestClient c = TestClient.connect(node.uri())) {
            c.sendRaw(frame);
            assertThat(c.awaitClose(Duration.ofSeconds(10))).as(what).isEqualTo(closeCode);
            if (errorCode != null) {
                assertThat(c.seen()).anySatisfy(f -> assertThat(f.path("code").asText()).isEqualTo(errorCode));
            }
        }
        interleaveGoodTraffic();
    }

    @Test
    @DisplayName("a binary frame closes with 1003")
    void binaryFrameCloses() {
        try (TestClient c = TestClient.connectAs(node.uri(), "binary")) {
            c.sendBinary(new byte[] {1, 2, 3});
            assertThat(c.awaitClose(Duration.ofSeconds(10))).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
        }
        interleaveGoodTraffic();
    }

    @Test
    @DisplayName("a connection that never says hello is closed with 4000 after the hello timeout")
    void helloTimeout() {
        try (TestClient c = TestClient.connect(node.uri())) {
            assertThat(c.awaitClose(Duration.ofSeconds(10))).isEqualTo(CloseCodes.HELLO_TIMEOUT);
        }
        interleaveGoodTraffic();
    }

    @Test
    @DisplayName("bad frames are counted")
    void badFramesAreCounted() {
        long before = node.stats().badFrames();
        try (TestClient c = TestClient.connectAs(node.uri(), "counter")) {
            c.sendRaw("nope");
            c.awaitType("error");
        }
        assertThat(node.stats().badFrames()).isEqualTo(before + 1);
    }
}
