package io.geows.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.NodeLimits;
import io.geows.RpcHandler;
import io.geows.RpcReply;
import io.geows.memory.InMemoryBroker;
import io.geows.testkit.TestClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RpcIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static GeoWsNode node(NodeLimits limits) {
        return GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east")
                .nodeId("rpc-" + System.nanoTime()).broker(new InMemoryBroker().connect("rpc"))
                .limits(limits).hookTimeout(Duration.ofMillis(300)).drainTimeout(Duration.ZERO)
                .rpc("order.status", RpcHandler.of(call -> call.data().contains("42")
                        ? RpcReply.result("{\"order\":42,\"status\":\"shipped\",\"for\":\"" + call.session().userId() + "\"}")
                        : RpcReply.error("not_found", "no such order")))
                .rpc("never", call -> new CompletableFuture<>())
                .rpc("broken", call -> {
                    throw new IllegalStateException("bug in the handler");
                })
                .rpc("garbage", RpcHandler.of(call -> RpcReply.result("{not json")))
                .build().start();
    }

    private static JsonNode call(TestClient c, String id, String method, Object data) {
        Map<String, Object> frame = new HashMap<>(Map.of("type", "rpc", "id", id, "method", method));
        if (data != null) {
            frame.put("data", data);
        }
        c.send(frame);
        return c.awaitFrame(f -> id.equals(f.path("ref").asText(null)), WAIT);
    }

    @Test
    @DisplayName("rpc: a result, the handler's error, an unknown method, a timeout and a failing handler each get their answer")
    void everyOutcomeHasItsAnswer() {
        try (GeoWsNode node = node(NodeLimits.defaults());
             TestClient alice = TestClient.connectAs(node.uri(), "alice")) {
            JsonNode ok = call(alice, "r1", "order.status", Map.of("order", 42));
            assertThat(ok.path("type").asText()).isEqualTo("rpc");
            assertThat(ok.path("data").path("status").asText()).isEqualTo("shipped");
            assertThat(ok.path("data").path("for").asText()).as("the handler knows who calls").isEqualTo("alice");

            JsonNode notFound = call(alice, "r2", "order.status", Map.of("order", 7));
            assertThat(notFound.path("type").asText()).isEqualTo("error");
            assertThat(notFound.path("code").asText()).isEqualTo("app.not_found");
            assertThat(notFound.path("message").asText()).isEqualTo("no such order");

            assertThat(call(alice, "r3", "order.cancel", null).path("code").asText()).isEqualTo("unknown_method");
            assertThat(call(alice, "r4", "never", null).path("code").asText()).isEqualTo("timeout");
            JsonNode broken = call(alice, "r5", "broken", null);
            assertThat(broken.path("code").asText()).isEqualTo("handler_failed");
            assertThat(broken.path("message").asText()).as("no details leak to the client").doesNotContain("bug");
            assertThat(call(alice, "r6", "garbage", null).path("code").asText()).isEqualTo("handler_failed");
            assertThat(call(alice, "r7", "order.status", "42").path("type").asText()).as("still answering").isEqualTo("rpc");
            assertThat(alice.isOpen()).isTrue();
        }
    }

    @Test
    @DisplayName("a flood of rpc calls is held to the session's limits: every call is answered, the excess with rate_limited")
    void floodIsLimited() {
        NodeLimits limits = NodeLimits.builder().messagesPerSecond(20).messageBurst(20).maxRpcsInFlight(4).build();
        try (GeoWsNode node = node(limits);
             TestClient mallory = TestClient.connectAs(node.uri(), "mallory");
             TestClient alice = TestClient.connectAs(node.uri(), "alice")) {
            for (int i = 0; i < 30; i++) {
                mallory.send(Map.of("type", "rpc", "id", "f" + i, "method", "never"));
            }
            int limited = 0;
            int timedOut = 0;
            for (int i = 0; i < 30; i++) {
                String id = "f" + i;
                String code = mallory.awaitFrame(f -> id.equals(f.path("ref").asText(null)), WAIT).path("code").asText();
                if (code.equals("rate_limited")) {
                    limited++;
                } else if (code.equals("timeout")) {
                    timedOut++;
                }
            }
            assertThat(timedOut).as("at most maxRpcsInFlight calls reach the handler at once").isEqualTo(4);
            assertThat(limited).isEqualTo(26);
            assertThat(call(alice, "a1", "order.status", 42).path("type").asText()).as("others unaffected").isEqualTo("rpc");
        }
    }
}
