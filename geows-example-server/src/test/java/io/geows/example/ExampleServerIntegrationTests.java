package io.geows.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.geows.testkit.TestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExampleServerIntegrationTests {

    @Test
    void demoModeRunsTwoRegionsThatChatWithEachOther() throws Exception {
        try (ExampleServer server = ExampleServer.demo("127.0.0.1", 0, 0, 0)) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.httpPort();
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("geows demo chat");

            JsonNode regions = new ObjectMapper().readTree(http.send(
                    HttpRequest.newBuilder(URI.create(base + "/regions")).build(), HttpResponse.BodyHandlers.ofString()).body());
            Map<String, URI> urls = new HashMap<>();
            regions.path("regions").forEach(r -> urls.put(r.path("region").asText(), URI.create(r.path("url").asText())));
            assertThat(urls).containsOnlyKeys("us-east", "eu-west");

            try (TestClient us = TestClient.connectAs(urls.get("us-east"), "ana");
                 TestClient eu = TestClient.connectAs(urls.get("eu-west"), "ben")) {
                us.join("lobby");
                eu.join("lobby");
                assertThat(us.publish("lobby", "hi-1", Map.of("text", "hi")).path("type").asText()).isEqualTo("ack");
                JsonNode m = eu.awaitMessage("lobby");
                assertThat(m.path("region").asText()).isEqualTo("us-east");
                assertThat(m.path("from").asText()).isEqualTo("ana");
            }
        }
    }

    @Test
    void oneNodeModeRunsOnNats() throws Exception {
        try (io.geows.testkit.NatsServer nats = io.geows.testkit.NatsServer.builder().jetStream().start();
             ExampleServer server = ExampleServer.start(ServerConfig.parse(new String[] {"--region", "eu-west",
                     "--node-id", "eu-nats-1", "--port", "0", "--http-port", "0", "--broker", nats.uri()}, k -> null))) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.httpPort() + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            try (TestClient c = TestClient.connectAs(server.nodes().get(0).uri(), "nina")) {
                c.join("r");
                assertThat(TestClient.type(c.publish("r", "n1", 1))).isEqualTo("ack");
                assertThat(c.awaitMessage("r").path("id").asText()).isEqualTo("n1");
            }
        }
    }

    @Test
    void badFlagsAreNamed() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--nope", "1"}, k -> null))
                .hasMessageContaining("--nope");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--port", "x"}, k -> null))
                .hasMessageContaining("--port").hasMessageContaining("'x'");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> ServerConfig.parse(new String[] {"--broker", "kafka://u:pw@h:1"}, k -> null))
                .hasMessageContaining("--broker").hasMessageNotContaining("pw");
        assertThat(ServerConfig.usage()).contains("--http-port", "GEOWS_HTTP_PORT", "GEOWS_BROKER");
        ServerConfig fromEnv = ServerConfig.parse(new String[] {"--region", "eu-west"},
                k -> k.equals("GEOWS_BROKER") ? "redis://127.0.0.1:7000" : null);
        assertThat(fromEnv.broker()).isEqualTo("redis://127.0.0.1:7000");
        assertThat(fromEnv.demo()).isFalse();
        assertThat(ServerConfig.parse(new String[0], k -> null).demo()).isTrue();
    }
}
