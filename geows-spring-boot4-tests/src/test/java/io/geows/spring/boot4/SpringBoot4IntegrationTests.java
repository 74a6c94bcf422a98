package io.geows.spring.boot4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.geows.GeoWsNode;
import io.geows.memory.InMemoryBroker;
import io.geows.spi.BrokerAdapter;
import io.geows.testkit.Await;
import io.geows.testkit.TestClient;
import io.geows.testkit.MemoryBrokerFaults;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The starter (built on Spring Boot 3.5) in a Spring Boot 4.0 application. */
class SpringBoot4IntegrationTests {
    private static final String KEY = "boot4-api-key-0123456789abcdef012345";
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ConfigurableApplicationContext start(InMemoryBroker broker, String... extra) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--geows.region=us-east", "--geows.port=0",
                "--geows.anonymous=true", "--management.endpoints.web.exposure.include=health,prometheus",
                "--management.endpoint.health.probes.enabled=true",
                "--management.endpoint.health.group.readiness.include=readinessState,geows",
                "--management.endpoint.health.show-components=always"));
        args.addAll(List.of(extra));
        SpringApplicationBuilder app = new SpringApplicationBuilder(Boot4Application.class);
        if (broker != null) {
            app.initializers(ctx -> ctx.getBeanFactory().registerSingleton("broker", broker.connect("boot4")));
        }
        return app.run(args.toArray(String[]::new));
    }

    private static HttpResponse<String> http(ConfigurableApplicationContext ctx, String method, String path, String body)
            throws Exception {
        int port = Integer.parseInt(ctx.getEnvironment().getProperty("local.server.port"));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(WAIT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json");
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int status(ConfigurableApplicationContext ctx, String path) {
        try {
            return http(ctx, "GET", path, null).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    @DisplayName("on Boot 4: the node serves, health (in the readiness probe) follows the broker, Prometheus has its meters")
    void nodeHealthAndMeters() throws Exception {
        assertThat(SpringBootVersion.getVersion()).startsWith("4.0");
        InMemoryBroker broker = new InMemoryBroker();
        try (ConfigurableApplicationContext ctx = start(broker)) {
            GeoWsNode node = ctx.getBean(GeoWsNode.class);
            assertThat(node.isReady()).isTrue();
            assertThat(ctx.getBean(BrokerAdapter.class).isConnected()).isTrue();
            try (TestClient alice = TestClient.connectAs(node.uri(), "alice")) {
                assertThat(TestClient.type(alice.join("lobby"))).isEqualTo("joined");
            }
            JsonNode health = JSON.readTree(http(ctx, "GET", "/actuator/health", null).body());
            assertThat(health.path("components").path("geows").path("status").asText()).isEqualTo("UP");

            MemoryBrokerFaults.fail(broker);
            Await.until("readiness DOWN", WAIT, () -> status(ctx, "/actuator/health/readiness") == 503);
            MemoryBrokerFaults.recover(broker);
            Await.until("readiness UP", WAIT, () -> status(ctx, "/actuator/health/readiness") == 200);

            String scrape = http(ctx, "GET", "/actuator/prometheus", null).body();
            assertThat(scrape).contains("geows_ready{").contains("geows_sessions{");
        }
    }

    @Test
    @DisplayName("on Boot 4: the HTTP server API is served by Spring MVC; a misspelt property stops start-up naming it")
    void httpApiAndTypos() throws Exception {
        try (ConfigurableApplicationContext ctx = start(null, "--geows.http-api.enabled=true", "--geows.http-api.keys=" + KEY)) {
            HttpResponse<String> r = http(ctx, "POST", "/api/v1/broadcast", "{\"data\":1}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        }
        assertThatThrownBy(() -> start(null, "--geows.regoin=x").close()).hasStackTraceContaining("geows.regoin");
    }
}
