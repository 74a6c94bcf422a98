package io.geows.example.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.geows.GeoWsNode;
import io.geows.client.GeoWsClient;
import io.geows.client.Message;
import io.geows.client.RequestRejectedException;
import io.geows.client.RoomListener;
import io.geows.testkit.Await;
import io.geows.testkit.RedisServer;
import io.geows.testkit.TestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The sample service in two regions over a real Redis: this test's context is us-east
 * ({@code @SpringBootTest}, a real Tomcat on a free port), a second application context is eu-west.
 * Customers connect with the Java client.
 */
@AutoConfigureObservability(tracing = false) // Boot tests turn metrics export off unless asked
@SpringBootTest(classes = OrdersApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OrdersApplicationIntegrationTests {
    private static final String SECRET = "the-order-services-jwt-secret-32b!";
    private static final String API_KEY = "orders-api-key-0123456789abcdef0123";
    private static final String INTER_REGION = "k1:" + java.util.Base64.getEncoder().encodeToString(new byte[32]);
    private static final long WAIT = 15;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static final RedisServer REDIS = RedisServer.launch();
    private static ConfigurableApplicationContext eu;

    @LocalServerPort
    int usHttp;
    @Autowired
    GeoWsNode us;

    @DynamicPropertySource
    static void usEast(DynamicPropertyRegistry r) {
        r.add("geows.region", () -> "us-east");
        r.add("geows.node-id", () -> "us-east-1");
        r.add("geows.port", () -> "0");
        r.add("geows.broker", REDIS::uri);
        r.add("geows.jwt.secret", () -> SECRET);
        r.add("geows.inter-region-keys", () -> INTER_REGION);
        r.add("geows.http-api.enabled", () -> "true");
        r.add("geows.http-api.keys", () -> API_KEY);
    }

    /** Another region of the same service: its own application context on the same Redis. */
    private static ConfigurableApplicationContext region(String region, String nodeId, String... more) {
        Map<String, String> props = new LinkedHashMap<>(Map.of("server.port", "0", "geows.region", region,
                "geows.node-id", nodeId, "geows.port", "0", "geows.broker", REDIS.uri(), "geows.jwt.secret", SECRET,
                "geows.inter-region-keys", INTER_REGION));
        for (String p : more) {
            props.put(p.substring(0, p.indexOf('=')), p.substring(p.indexOf('=') + 1));
        }
        // as command-line arguments: above application.properties, as a deployment's would be
        return new SpringApplicationBuilder(OrdersApplication.class)
                .run(props.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
    }

    @BeforeAll
    static void startEuWest() {
        eu = region("eu-west", "eu-west-1");
    }

    @AfterAll
    static void stop() {
        if (eu != null) {
            eu.close();
        }
        REDIS.close();
    }

    private static String token(String user) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject(user)
                .expirationTime(new Date(System.currentTimeMillis() + 3_600_000)).build());
        jwt.sign(new MACSigner(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private static GeoWsClient customer(String user, ConfigurableApplicationContext region) throws Exception {
        GeoWsNode node = region.getBean(GeoWsNode.class);
        GeoWsClient c = GeoWsClient.builder().region(node.region(), node.uri()).token(token(user)).build();
        c.connect().get(WAIT, TimeUnit.SECONDS);
        return c;
    }

    private HttpResponse<String> http(String method, String path, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + usHttp + path))
                .timeout(Duration.ofSeconds(WAIT))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(1)
    @DisplayName("a REST call in us-east reaches alice's Java client in eu-west once; her RPC and chat follow the app's rules")
    void restInOneRegionPushesToAClientInTheOther() throws Exception {
        try (GeoWsClient alice = customer("alice", eu)) {
            BlockingQueue<Message> updates = new LinkedBlockingQueue<>();
            alice.join("orders:alice", (RoomListener) updates::add).get(WAIT, TimeUnit.SECONDS);

            HttpResponse<String> r = http("POST", "/orders/A-1/status", "{\"customer\":\"alice\",\"status\":\"shipped\"}", null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode answer = JSON.readTree(r.body());
            assertThat(answer.path("room").asText()).isEqualTo("orders:alice");
            Message m = updates.poll(WAIT, TimeUnit.SECONDS);
            assertThat(m).as("the update in eu-west").isNotNull();
            assertThat(m.data(Map.class)).containsEntry("order", "A-1").containsEntry("status", "shipped");
            assertThat(m.offset()).isEqualTo(answer.path("offset").asLong());
            assertThat(m.region()).isEqualTo("us-east");

            HttpResponse<String> retry = http("POST", "/orders/A-1/status", "{\"customer\":\"alice\",\"status\":\"shipped\"}", null);
            assertThat(JSON.readTree(retry.body()).path("offset").asLong()).as("a retry: same position").isEqualTo(m.offset());
            assertThat(http("POST", "/orders/A-1/status", "{\"customer\":\"al ice\",\"status\":\"x\"}", null).statusCode())
                    .isEqualTo(400);

            // The RPC is answered by eu-west's own order store (each region's, as a shared database would be).
            eu.getBean(Orders.class).save("A-1", "alice", "packed");
            assertThat(alice.rpc("order.status", Map.of("order", "A-1")).get(WAIT, TimeUnit.SECONDS).data(Map.class))
                    .containsEntry("status", "packed");
            eu.getBean(Orders.class).save("B-7", "bob", "placed");
            assertThatThrownBy(() -> alice.rpc("order.status", Map.of("order", "B-7")).get(WAIT, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(RequestRejectedException.class)
                    .hasMessageContaining("app.not_found");
            assertThatThrownBy(() -> alice.publish("orders:alice", "forged").get(WAIT, TimeUnit.SECONDS))
                    .cause().hasMessageContaining("forbidden");
            assertThatThrownBy(() -> alice.join("orders:bob", (RoomListener) updates::add).get(WAIT, TimeUnit.SECONDS))
                    .cause().hasMessageContaining("forbidden");

            BlockingQueue<Message> chat = new LinkedBlockingQueue<>();
            alice.join("chat:lobby", (RoomListener) chat::add).get(WAIT, TimeUnit.SECONDS);
            assertThatThrownBy(() -> alice.publish("chat:lobby", "x".repeat(600)).get(WAIT, TimeUnit.SECONDS))
                    .cause().hasMessageContaining("app.too_long");
            alice.publish("chat:lobby", "see http://example.com").get(WAIT, TimeUnit.SECONDS);
            assertThat(chat.poll(WAIT, TimeUnit.SECONDS).data(String.class)).isEqualTo("see https://example.com");
            assertThat(updates.poll(200, TimeUnit.MILLISECONDS)).as("nothing more: the retry was not delivered").isNull();
        }
    }

    @Test
    @Order(2)
    @DisplayName("the starter's opt-in HTTP server API: a key is needed; with it a publish in us-east reaches eu-west")
    void serverApiInTheApplication() throws Exception {
        try (GeoWsClient bob = customer("bob", eu)) {
            BlockingQueue<Message> updates = new LinkedBlockingQueue<>();
            bob.join("orders:bob", (RoomListener) updates::add).get(WAIT, TimeUnit.SECONDS);
            String body = "{\"id\":\"ops-1\",\"data\":{\"notice\":\"delayed\"}}";

            HttpResponse<String> refused = http("POST", "/api/v1/rooms/orders:bob/messages", body, "wrong-key-of-32-characters-or-more!!");
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.headers().firstValue("WWW-Authenticate")).contains("Bearer");
            assertThat(JSON.readTree(refused.body()).path("error").asText()).isEqualTo("unauthorized");
            assertThat(http("POST", "/api/v1/rooms/orders:bob/messages", body, null).statusCode()).isEqualTo(401);

            HttpResponse<String> ok = http("POST", "/api/v1/rooms/orders:bob/messages", body, API_KEY);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            Message m = updates.poll(WAIT, TimeUnit.SECONDS);
            assertThat(m).isNotNull();
            assertThat(m.data(Map.class)).containsEntry("notice", "delayed");
            assertThat(updates.poll(200, TimeUnit.MILLISECONDS)).as("the refused requests delivered nothing").isNull();
            assertThat(http("POST", "/api/v1/rooms/orders:bob/messages", "{not json", API_KEY).statusCode()).isEqualTo(400);

            HttpResponse<String> presence = http("GET", "/api/v1/rooms/orders:bob/presence", null, API_KEY);
            assertThat(presence.statusCode()).isEqualTo(200);
            Await.until("bob in presence", Duration.ofSeconds(WAIT), () -> {
                try {
                    return http("GET", "/api/v1/rooms/orders:bob/presence", null, API_KEY).body().contains("\"region\":\"eu-west\"");
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    @Test
    @Order(3)
    @DisplayName("Prometheus scrape shows geows meters of the node")
    void prometheusShowsGeoWsMeters() throws Exception {
        HttpResponse<String> r = http("GET", "/actuator/prometheus", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("geows_sessions{").contains("geows_ready{").contains("region=\"us-east\"")
                .contains("geows_frames_out_total{");
        assertThat(r.body().lines().filter(l -> l.startsWith("geows_ready{")).findFirst().orElseThrow()).endsWith(" 1.0");
    }

    @Test
    @Order(4)
    @DisplayName("the readiness probe goes DOWN (503) when Redis is killed and UP again when it is back")
    void healthFollowsTheBroker() throws Exception {
        assertThat(http("GET", "/actuator/health/readiness", null, null).statusCode()).isEqualTo(200);
        REDIS.kill();
        try {
            Await.until("readiness DOWN", Duration.ofSeconds(WAIT), () -> status("/actuator/health/readiness") == 503);
            JsonNode health = JSON.readTree(http("GET", "/actuator/health", null, null).body());
            assertThat(health.path("components").path("geows").path("status").asText()).isEqualTo("DOWN");
            assertThat(status("/actuator/health/liveness")).as("alive: only not ready").isEqualTo(200);
        } finally {
            REDIS.start();
        }
        Await.until("readiness UP", Duration.ofSeconds(30), () -> status("/actuator/health/readiness") == 200);
        Await.until("eu-west ready too", Duration.ofSeconds(30), () -> eu.getBean(GeoWsNode.class).isReady());
    }

    private int status(String path) {
        try {
            return http("GET", path, null, null).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    @Order(5)
    @DisplayName("closing a region's context drains its node first: goaway while the web server still answers")
    void gracefulShutdownSendsGoawayFirst() throws Exception {
        ConfigurableApplicationContext second = region("eu-west", "eu-west-2", "geows.drain-timeout=3s");
        int http = ((org.springframework.boot.web.context.WebServerApplicationContext) second).getWebServer().getPort();
        TestClient carol = TestClient.connectWithToken(second.getBean(GeoWsNode.class).uri(), token("carol"));
        CompletableFuture<Void> closing = CompletableFuture.runAsync(second::close);
        JsonNode goaway = carol.awaitType("goaway");
        assertThat(second.isActive()).as("the context is still up when goaway arrives").isTrue();
        HttpResponse<String> during = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/actuator/health/liveness"))
                .timeout(Duration.ofSeconds(WAIT)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(during.statusCode()).as("the web server still serves during the drain").isEqualTo(200);
        assertThat(goaway.toString()).contains("eu-west");
        closing.get(WAIT, TimeUnit.SECONDS);
        assertThat(second.isActive()).isFalse();
        assertThat(carol.awaitClose(Duration.ofSeconds(WAIT))).isEqualTo(1001);
    }

    @Test
    @Order(6)
    @DisplayName("a misspelt geows property or an invalid value stops start-up with a message naming it")
    void badPropertiesFailStartUp() {
        assertThatThrownBy(() -> region("eu-west", "eu-west-3", "geows.regoin=eu-west"))
                .hasStackTraceContaining("geows.regoin");
        assertThatThrownBy(() -> region("eu-west", "eu-west-3", "geows.port=eighty"))
                .hasStackTraceContaining("geows.port");
        assertThatThrownBy(() -> region("eu-west", "eu-west-3", "geows.retention.[chat-*].messages=0"))
                .hasStackTraceContaining("geows.retention.[chat-*].messages");
        assertThatThrownBy(() -> region("eu-west", "eu-west-3", "geows.http-api.enabled=true"))
                .hasStackTraceContaining("geows.http-api.keys");
    }
}
