package io.geows.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.testkit.Await;
import io.geows.testkit.TestClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Two regions as two example-server processes on one broker: what every broker must show. */
final class TwoProcessScenario {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private TwoProcessScenario() {
    }

    /** A room message crosses, presence is right, a resume in the other region recovers. */
    static void run(ServerProcess us, ServerProcess eu) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (ServerProcess p : List.of(us, eu)) {
            Await.until("process ready", WAIT, () -> get(http, p.http().resolve("/readyz")).statusCode() == 200);
        }
        try (TestClient alice = TestClient.connectAs(us.ws(), "alice")) {
            TestClient carol = TestClient.connectAs(eu.ws(), "carol");
            alice.join("lobby");
            carol.join("lobby");

            assertThat(TestClient.type(alice.publish("lobby", "hi", Map.of("text", "hello from us")))).isEqualTo("ack");
            JsonNode got = carol.awaitMessage("lobby");
            assertThat(got.path("region").asText()).isEqualTo("us-east");
            assertThat(got.path("node").asText()).isEqualTo("us-proc-1");

            alice.send(Map.of("type", "presence", "room", "lobby", "id", "p"));
            Set<String> members = new HashSet<>();
            alice.awaitRef("p").path("members").forEach(mm -> members.add(mm.path("user").asText() + "@" + mm.path("region").asText()));
            assertThat(members).containsExactlyInAnyOrder("alice@us-east", "carol@eu-west");

            // carol drops, misses two messages, and comes back through the other region (us-east)
            carol.close();
            alice.publish("lobby", "missed-1", 1);
            alice.publish("lobby", "missed-2", 2);
            try (TestClient back = TestClient.connect(us.ws())) {
                back.send(Map.of("type", "hello", "token", "carol", "protocol", 1, "resume",
                        Map.of("lobby", Map.of("offset", got.path("offset").asLong(), "epoch", got.path("epoch").asText()))));
                assertThat(back.awaitType("welcome").path("recovered").path("lobby").asBoolean()).isTrue();
                assertThat(back.awaitMessage("lobby").path("id").asText()).isEqualTo("missed-1");
                assertThat(back.awaitMessage("lobby").path("id").asText()).isEqualTo("missed-2");
            }

            JsonNode regions = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    get(http, us.http().resolve("/regions")).body());
            Set<String> nodes = new HashSet<>();
            regions.path("regions").forEach(r -> nodes.add(r.path("node").asText()));
            assertThat(nodes).contains("us-proc-1");
        }
    }

    static HttpResponse<String> get(HttpClient http, URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
