package io.geows.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.Authenticator;
import io.geows.Envelope;
import io.geows.GeoWsException;
import io.geows.GeoWsNode;
import io.geows.memory.InMemoryBroker;
import io.geows.spi.Route;
import io.geows.spi.Router;
import io.geows.testkit.Await;
import io.geows.testkit.TestClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RouterCompositionIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Routes direct messages to every recipient's inbox, this node's own included (the easy mistake). */
    private static final Router NAIVE = (m, ctx) -> m.kind() == Envelope.Kind.DIRECT
            ? Route.to(ctx.recipients().stream().map(r -> ctx.topics().node(r.nodeId())).toList())
            : Router.defaults().route(m, ctx);
    /** One rule of its own, everything else delegated. */
    private static final Router NO_SECRETS = (m, ctx) -> m.room() != null && m.room().startsWith("secret:")
            ? Route.reject("secret rooms are closed")
            : NAIVE.route(m, ctx);

    private static GeoWsNode node(InMemoryBroker broker, String id) {
        return GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east").nodeId(id)
                .broker(broker.connect(id)).router(NO_SECRETS).presenceTtl(Duration.ofSeconds(2))
                .drainTimeout(Duration.ZERO).build().start();
    }

    @Test
    @DisplayName("a router that adds a rule and delegates to the default: its rule holds, nothing is delivered twice")
    void composedRouterAddsItsRuleAndDeliversOnce() throws Exception {
        InMemoryBroker broker = new InMemoryBroker();
        try (GeoWsNode n1 = node(broker, "r1");
             GeoWsNode n2 = node(broker, "r2");
             TestClient alice = TestClient.connectAs(n1.uri(), "alice");
             TestClient bobHere = TestClient.connectAs(n1.uri(), "bob");
             TestClient bobTablet = TestClient.connectAs(n1.uri(), "bob");
             TestClient bobThere = TestClient.connectAs(n2.uri(), "bob")) {
            Await.until("bob on both nodes in the directory", WAIT,
                    () -> n1.sendToUser("bob", "\"probe\"").join() == 2);
            alice.send(Map.of("type", "direct", "to", "bob", "id", "d1", "data", "once"));
            assertThat(alice.awaitRef("d1").path("delivered").asInt()).isEqualTo(2);
            for (TestClient bob : List.of(bobHere, bobTablet, bobThere)) {
                List<JsonNode> got = bob.drain(f -> "d1".equals(f.path("id").asText()), Duration.ofMillis(500));
                assertThat(got).as("direct frames of d1 at one of bob's sessions").hasSize(1);
            }

            alice.join("secret:plans");
            JsonNode refused = alice.publish("secret:plans", "s1", "x");
            assertThat(refused.path("code").asText()).isEqualTo("forbidden");
            assertThat(refused.path("message").asText()).isEqualTo("secret rooms are closed");
            assertThatThrownBy(() -> n1.publish("secret:plans", "\"x\"").get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(GeoWsException.class)
                    .hasMessageContaining("secret rooms are closed");
            alice.join("lobby");
            assertThat(alice.publish("lobby", "l1", "x").path("type").asText()).isEqualTo("ack");
        }
    }
}
