package io.geows.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.geows.testkit.Await;
import io.geows.testkit.RedisServer;
import io.geows.testkit.TestClient;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The HTTP server API against two regions on a real Redis: every operation called on us-east acts
 * on the whole cluster (clients in eu-west get what it sends), refusals answer their documented status
 * and code with nothing done, and every path of {@code docs/http-api.yaml} answers as documented.
 */
class HttpApiIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String KEY = "an-api-key-of-at-least-32-characters!";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static RedisServer redis;
    private static ExampleServer us;
    private static ExampleServer eu;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.launch();
        us = server("us-east");
        eu = server("eu-west");
        Await.until("both nodes ready", WAIT, () -> us.nodes().get(0).isReady() && eu.nodes().get(0).isReady());
    }

    private static ExampleServer server(String region) throws Exception {
        return ExampleServer.start(ServerConfig.parse(new String[] {"--anonymous", "true", "--region", region,
                "--port", "0", "--http-port", "0", "--broker", redis.uri(), "--api-keys", "old-key-of-32-characters-or-more!!," + KEY},
                k -> null));
    }

    @AfterAll
    static void stop() {
        us.close();
        eu.close();
        redis.close();
    }

    private static HttpResponse<String> call(String method, String path, String body, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + us.httpPort() + "/api/v1" + path))
                .timeout(WAIT).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Test
    @DisplayName("every operation on us-east reaches eu-west: publish, send to a user, broadcast, presence, history, disconnect")
    void everyOperationReachesTheOtherRegion() {
        try (TestClient bob = TestClient.connectAs(eu.nodes().get(0).uri(), "bob")) {
            bob.join("orders:42");
            HttpResponse<String> published = call("POST", "/rooms/" + enc("orders:42") + "/messages",
                    "{\"id\":\"status-1\",\"data\":{\"status\":\"shipped\"}}", KEY);
            assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
            JsonNode message = bob.awaitMessage("orders:42");
            assertThat(message.path("data").path("status").asText()).isEqualTo("shipped");
            assertThat(message.path("offset").asLong()).isEqualTo(json(published).path("offset").asLong());

            HttpResponse<String> direct = call("POST", "/users/bob/messages", "{\"data\":\"psst\"}", KEY);
            assertThat(json(direct).path("nodes").asInt()).isEqualTo(1);
            assertThat(bob.awaitType("direct").path("data").asText()).isEqualTo("psst");

            assertThat(call("POST", "/broadcast", "{\"data\":{\"maintenance\":true}}", KEY).statusCode()).isEqualTo(202);
            assertThat(bob.awaitType("broadcast").path("data").path("maintenance").asBoolean()).isTrue();

            JsonNode presence = json(call("GET", "/rooms/" + enc("orders:42") + "/presence", null, KEY));
            assertThat(presence.path("members")).extracting(m -> m.path("user").asText() + "@" + m.path("region").asText())
                    .containsExactly("bob@eu-west");

            JsonNode history = json(call("GET", "/rooms/" + enc("orders:42") + "/history?limit=10", null, KEY));
            assertThat(history.path("messages")).extracting(m -> m.path("id").asText()).containsExactly("status-1");
            assertThat(history.path("messages").get(0).path("data").path("status").asText()).isEqualTo("shipped");
            JsonNode after = json(call("GET", "/rooms/" + enc("orders:42") + "/history?after="
                    + history.path("position").path("offset").asLong() + "&epoch=" + history.path("position").path("epoch").asText(),
                    null, KEY));
            assertThat(after.path("messages")).isEmpty();
            assertThat(after.path("complete").asBoolean()).isTrue();

            assertThat(call("POST", "/users/bob/disconnect", "{\"code\":4100,\"reason\":\"moved\"}", KEY).statusCode())
                    .isEqualTo(202);
            assertThat(bob.awaitClose(WAIT)).isEqualTo(4100);
        }
    }

    @Test
    @DisplayName("a repeated id is answered with the first position and delivered once; the old key still works")
    void idempotentPublish() {
        try (TestClient bob = TestClient.connectAs(eu.nodes().get(0).uri(), "bob")) {
            bob.join("idem");
            HttpResponse<String> first = call("POST", "/rooms/idem/messages", "{\"id\":\"once\",\"data\":1}", KEY);
            HttpResponse<String> again = call("POST", "/rooms/idem/messages", "{\"id\":\"once\",\"data\":1}",
                    "old-key-of-32-characters-or-more!!");
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(json(again).path("offset").asLong()).isEqualTo(json(first).path("offset").asLong());
            call("POST", "/rooms/idem/messages", "{\"id\":\"end\",\"data\":2}", KEY);
            bob.awaitMessage("idem", "end", WAIT);
            assertThat(bob.messages("idem")).extracting(m -> m.path("id").asText()).containsExactly("once", "end");
        }
    }

    @Test
    @DisplayName("refusals answer their documented status and code, and nothing is done")
    void refusals() {
        try (TestClient bob = TestClient.connectAs(eu.nodes().get(0).uri(), "bob")) {
            bob.join("guarded");
            for (String key : new String[] {null, "wrong", KEY + "x"}) {
                HttpResponse<String> r = call("POST", "/rooms/guarded/messages", "{\"data\":\"forged\"}", key);
                assertThat(r.statusCode()).isEqualTo(401);
                assertThat(json(r).path("error").asText()).isEqualTo("unauthorized");
            }
            record Bad(String path, String body, int status, String code) {
            }
            for (Bad bad : List.of(new Bad("/rooms/guarded/messages", "{not json", 400, "bad_json"),
                    new Bad("/rooms/guarded/messages", "[1,2]", 400, "bad_json"),
                    new Bad("/rooms/guarded/messages", "{\"id\":\"x\"}", 400, "bad_request"),
                    new Bad("/rooms/guarded/messages", "{\"id\":7,\"data\":1}", 400, "bad_request"),
                    new Bad("/rooms/" + "r".repeat(300) + "/messages", "{\"data\":1}", 400, "bad_request"),
                    new Bad("/rooms/bad%07room/messages", "{\"data\":1}", 400, "bad_request"),
                    new Bad("/rooms/guarded/messages", "{\"data\":\"" + "x".repeat(70_000) + "\"}", 413, "too_large"),
                    new Bad("/rooms/guarded/nothing", "{}", 404, "not_found"))) {
                HttpResponse<String> r = call("POST", bad.path(), bad.body(), KEY);
                assertThat(r.statusCode()).as(bad.path() + " " + bad.body().substring(0, Math.min(20, bad.body().length())))
                        .isEqualTo(bad.status());
                assertThat(json(r).path("error").asText()).isEqualTo(bad.code());
            }
            assertThat(call("GET", "/rooms/guarded/messages", null, KEY).statusCode()).isEqualTo(405);
            assertThat(call("GET", "/rooms/guarded/history?after=1", null, KEY).statusCode()).isEqualTo(400);
            assertThat(bob.drain(f -> "message".equals(TestClient.type(f)), Duration.ofMillis(500))).as("nothing delivered")
                    .isEmpty();
        }
    }

    @Test
    @DisplayName("with the broker down a publish answers 503 and is never delivered later")
    void brokerDown() throws Exception {
        try (TestClient bob = TestClient.connectAs(eu.nodes().get(0).uri(), "bob")) {
            bob.join("outage");
            redis.kill();
            Await.until("us-east notices", WAIT, () -> !us.nodes().get(0).isReady());
            HttpResponse<String> r = call("POST", "/rooms/outage/messages", "{\"id\":\"lost\",\"data\":1}", KEY);
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(json(r).path("error").asText()).isEqualTo("unavailable");
            redis.start();
            Await.until("both ready again", WAIT, () -> us.nodes().get(0).isReady() && eu.nodes().get(0).isReady());
            Await.until("publish accepted again", WAIT,
                    () -> call("POST", "/rooms/outage/messages", "{\"id\":\"after\",\"data\":2}", KEY).statusCode() == 200);
            bob.awaitMessage("outage", "after", WAIT);
            assertThat(bob.messages("outage")).extracting(m -> m.path("id").asText()).doesNotContain("lost");
        }
    }

    @Test
    @DisplayName("every path and method of docs/http-api.yaml answers with a status it documents")
    void openApiDocumentMatchesTheServer() throws Exception {
        JsonNode doc = new YAMLMapper().readTree(Path.of("..", "docs", "http-api.yaml").toFile());
        List<String> checked = new ArrayList<>();
        for (var path : (Iterable<Map.Entry<String, JsonNode>>) doc.path("paths")::fields) {
            String concrete = path.getKey().replace("{room}", "doc-room").replace("{user}", "doc-user");
            for (var op : (Iterable<Map.Entry<String, JsonNode>>) path.getValue()::fields) {
                String method = op.getKey().toUpperCase(java.util.Locale.ROOT);
                JsonNode responses = op.getValue().path("responses");
                String body = method.equals("POST") ? "{\"data\":{\"doc\":true}}" : null;
                HttpResponse<String> ok = call(method, concrete, body, KEY);
                assertThat(responses.has(String.valueOf(ok.statusCode())))
                        .as("%s %s answered %s: %s (documented: %s)", method, concrete, ok.statusCode(), ok.body(),
                                responses.fieldNames())
                        .isTrue();
                assertThat(ok.statusCode()).as("%s %s succeeds", method, concrete).isLessThan(300);
                HttpResponse<String> refused = call(method, concrete, body, null);
                assertThat(responses.has("401")).as("%s %s documents 401", method, concrete).isTrue();
                assertThat(refused.statusCode()).isEqualTo(401);
                checked.add(method + " " + path.getKey());
            }
        }
        assertThat(checked).hasSize(6);
    }
}
