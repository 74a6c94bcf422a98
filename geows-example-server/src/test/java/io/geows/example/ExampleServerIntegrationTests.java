package io.geows.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.geows.Retention;
import io.geows.testkit.TestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
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

                // the delivery is recorded right after the frame is queued: it may trail the client by a moment
                String latency = "geows_delivery_latency_seconds_count\\{cross_region=\"true\",node=\"eu-west-1\","
                        + "origin_region=\"us-east\",region=\"eu-west\"\\} 1";
                io.geows.testkit.Await.until("delivery latency in /metrics", java.time.Duration.ofSeconds(10),
                        () -> java.util.regex.Pattern.compile(latency).matcher(get(http, base + "/metrics")).find());
                HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
                String text = metrics.body();
                // Prometheus text format: comments, or `name{labels} value`
                for (String line : text.split("\n")) {
                    if (!line.isBlank() && !line.startsWith("#")) {
                        assertThat(line).as("a sample line").matches("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*\\})? [-+0-9.eEInfa]+");
                    }
                }
                assertThat(text).contains("geows_sessions{node=\"us-east-1\",region=\"us-east\"} 1.0");
                assertThat(text).contains("geows_frames_in_total{node=\"us-east-1\",region=\"us-east\",type=\"publish\"} 1.0");
                assertThat(text).containsPattern("geows_delivery_latency_seconds_count\\{cross_region=\"true\",node=\"eu-west-1\",origin_region=\"us-east\",region=\"eu-west\"\\} 1");
                assertThat(text).contains("geows_delivery_latency_seconds_bucket{");
                assertThat(text).contains("geows_ready{node=\"eu-west-1\",region=\"eu-west\"} 1.0");
                assertThat(text).contains("geows_broker_placement{holder=\"in-process\",node=\"eu-west-1\",region=\"eu-west\",role=\"history\"} 1.0");
                assertThat(text).contains("geows_broker_messages_forged_total{node=\"eu-west-1\",region=\"eu-west\"} 0.0",
                        "geows_broker_messages_replayed_total{node=\"eu-west-1\",region=\"eu-west\"} 0.0");

                // The monitoring kit: every metric the Grafana dashboard queries is served.
                String dashboard = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "grafana", "geows.json"));
                java.util.regex.Matcher names = java.util.regex.Pattern.compile("geows_[a-z_]+").matcher(dashboard);
                java.util.Set<String> queried = new java.util.TreeSet<>();
                while (names.find()) {
                    queried.add(names.group());
                }
                assertThat(queried).hasSizeGreaterThan(8);
                for (String name : queried) {
                    assertThat(text).as("dashboard metric %s in /metrics", name).containsPattern("(?m)^" + name + "[{ ]");
                }
            }
        }
    }

    @Test
    void demoRegionsCanBeStoppedAndStartedAgain() throws Exception {
        try (ExampleServer server = ExampleServer.demo("127.0.0.1", 0, 0, 0)) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.httpPort();
            java.util.function.Function<String, Integer> post = path -> {
                try {
                    return http.send(HttpRequest.newBuilder(URI.create(base + path))
                            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            URI eu = server.nodes().stream().filter(n -> n.region().equals("eu-west")).findFirst().orElseThrow().uri();
            try (TestClient c = TestClient.connectAs(eu, "viewer")) {
                assertThat(post.apply("/demo/stop?region=eu-west")).isEqualTo(202);
                JsonNode goaway = c.awaitType("goaway");
                assertThat(goaway.path("region").asText()).isEqualTo("us-east");
            }
            io.geows.testkit.Await.until("eu-west listed as not ready", java.time.Duration.ofSeconds(10), () -> {
                try {
                    String regions = http.send(HttpRequest.newBuilder(URI.create(base + "/regions")).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    return regions.contains("\"region\":\"eu-west\",\"node\":\"eu-west-1\",\"url\":\"" + eu + "\",\"ready\":false");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(post.apply("/demo/stop?region=eu-west")).isEqualTo(409);
            assertThat(post.apply("/demo/stop?region=mars")).isEqualTo(400);
            assertThat(post.apply("/demo/start?region=eu-west")).isEqualTo(200);
            try (TestClient back = TestClient.connectAs(eu, "viewer")) {
                assertThat(back.join("lobby").path("type").asText()).isEqualTo("joined");
            }
        }
    }

    private static String token(String secret, String sub, long expiresInSeconds) throws Exception {
        com.nimbusds.jwt.JWTClaimsSet claims = new com.nimbusds.jwt.JWTClaimsSet.Builder().subject(sub)
                .expirationTime(new java.util.Date(System.currentTimeMillis() + expiresInSeconds * 1000)).build();
        com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(
                new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256), claims);
        jwt.sign(new com.nimbusds.jose.crypto.MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    @Test
    void tokenSecretRequiresSignedTokens() throws Exception {
        String secret = "a-secret-of-at-least-thirty-two-bytes!";
        try (ExampleServer server = ExampleServer.start(ServerConfig.parse(new String[] {"--region", "us-east",
                "--port", "0", "--http-port", "0", "--token-secret", secret}, k -> null))) {
            URI ws = server.nodes().get(0).uri();
            try (TestClient ok = TestClient.connect(ws)) {
                ok.send(Map.of("type", "hello", "token", token(secret, "alice", 60), "protocol", 1));
                assertThat(ok.awaitType("welcome").path("user").asText()).isEqualTo("alice");
            }
            String unsigned = "eyJhbGciOiJub25lIn0." + java.util.Base64.getUrlEncoder().withoutPadding()
                    .encodeToString("{\"sub\":\"mallory\",\"exp\":9999999999}".getBytes(java.nio.charset.StandardCharsets.UTF_8)) + ".";
            for (String bad : List.of(token("another-secret-of-thirty-two-bytes!!", "mallory", 60), unsigned, "mallory")) {
                try (TestClient c = TestClient.connect(ws)) {
                    c.send(Map.of("type", "hello", "token", bad, "protocol", 1));
                    assertThat(c.awaitClose(java.time.Duration.ofSeconds(10))).as(bad).isEqualTo(4001);
                }
            }
            // genuine but expired: the client should fetch a new token, not give up
            try (TestClient c = TestClient.connect(ws)) {
                c.send(Map.of("type", "hello", "token", token(secret, "late", -3600), "protocol", 1));
                assertThat(c.awaitClose(java.time.Duration.ofSeconds(10))).isEqualTo(4003);
            }
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.parse(
                new String[] {"--region", "x", "--port", "0", "--http-port", "0", "--token-secret", "short"}, k -> null))
                .hasMessageContaining("--token-secret");
    }

    @Test
    void readinessFollowsTheBroker() throws Exception {
        try (io.geows.testkit.RedisServer redis = io.geows.testkit.RedisServer.launch();
             ExampleServer server = ExampleServer.start(ServerConfig.parse(new String[] {"--anonymous", "true", "--region", "us-east",
                     "--port", "0", "--http-port", "0", "--broker", redis.uri()}, k -> null))) {
            HttpClient http = HttpClient.newHttpClient();
            URI readyz = URI.create("http://127.0.0.1:" + server.httpPort() + "/readyz");
            java.util.function.IntSupplier status = () -> {
                try {
                    return http.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            assertThat(status.getAsInt()).isEqualTo(200);
            String body = http.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(body).as("readiness names where the broker keeps what").startsWith("ready\n")
                    .contains("primary: 127.0.0.1:" + redis.port());
            redis.kill();
            io.geows.testkit.Await.until("not ready while Redis is gone", java.time.Duration.ofSeconds(15),
                    () -> status.getAsInt() == 503);
            redis.start();
            io.geows.testkit.Await.until("ready again", java.time.Duration.ofSeconds(15), () -> status.getAsInt() == 200);
        }
    }

    @Test
    void oneNodeModeRunsOnNats() throws Exception {
        try (io.geows.testkit.NatsServer nats = io.geows.testkit.NatsServer.builder().jetStream().start();
             ExampleServer server = ExampleServer.start(ServerConfig.parse(new String[] {"--anonymous", "true", "--region", "eu-west",
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
    void dataResidencyFlagsPinRoomsToTheirZonesBroker() throws Exception {
        String[] rules = {"--all-regions", "eu-west,us-east", "--zones", "eu=eu-west", "--pins", "eu-*=eu"};
        try (io.geows.testkit.RedisServer global = io.geows.testkit.RedisServer.launch();
             io.geows.testkit.RedisServer euRedis = io.geows.testkit.RedisServer.launch();
             ExampleServer eu = ExampleServer.start(ServerConfig.parse(concat(rules, "--anonymous", "true", "--region",
                     "eu-west", "--port", "0", "--http-port", "0", "--broker", global.uri(), "--public-url",
                     "ws://127.0.0.1:1/eu", "--zone-brokers", "eu=" + euRedis.uri()), k -> null));
             ExampleServer us = ExampleServer.start(ServerConfig.parse(concat(rules, "--anonymous", "true", "--region",
                     "us-east", "--port", "0", "--http-port", "0", "--broker", global.uri()), k -> null));
             TestClient anna = TestClient.connectAs(eu.nodes().get(0).uri(), "anna");
             TestClient carl = TestClient.connectAs(us.nodes().get(0).uri(), "carl");
             io.lettuce.core.RedisClient raw = io.lettuce.core.RedisClient.create(euRedis.uri());
             var euCli = raw.connect()) {
            anna.join("eu-files");
            assertThat(TestClient.type(anna.publish("eu-files", "f1", "x"))).isEqualTo("ack");
            assertThat(euCli.sync().keys("*")).as("the EU room's history is on the EU Redis").anyMatch(k -> k.contains("eu-files"));
            carl.send(Map.of("type", "join", "room", "eu-files", "id", "j"));
            var refused = carl.awaitRef("j");
            assertThat(refused.path("code").asText()).isEqualTo("wrong_region");
            assertThat(refused.path("url").asText()).isEqualTo("ws://127.0.0.1:1/eu");
        }
        // Refused at start-up, naming the problem.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ExampleServer.start(ServerConfig.parse(concat(rules,
                        "--anonymous", "true", "--region", "eu-west", "--port", "0", "--http-port", "0", "--broker",
                        "redis://127.0.0.1:1"), k -> null)))
                .hasMessageContaining("zone 'eu'").hasMessageContaining("no broker is configured");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--all-regions", "eu-west",
                        "--zones", "eu=eu-west+eu-north", "--pins", "eu-*=eu"}, k -> null))
                .hasMessageContaining("'eu-north'").hasMessageContaining("declared regions");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--all-regions",
                        "eu-west,us-east", "--zones", "eu=eu-west,us=us-east", "--pins", "eu-*=eu,eu-us*=us"}, k -> null))
                .hasMessageContaining("'eu-*'").hasMessageContaining("'eu-us*'").hasMessageContaining("overlap");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--zones", "eu=eu-west",
                        "--pins", "eu-*=eu"}, k -> null))
                .hasMessageContaining("--all-regions");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.parse(concat(rules, "--zone-brokers",
                        "eu=amqp://u:pw@h"), k -> null))
                .hasMessageContaining("--zone-brokers").hasMessageNotContaining("pw");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.parse(rules, k -> null))
                .hasMessageContaining("need --region");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.parse(concat(rules, "--region", "eu-west",
                        "--anonymous", "true", "--broker", "redis://127.0.0.1:7000", "--zone-brokers", "eu=redis://127.0.0.1:7000"),
                        k -> null))
                .hasMessageContaining("zone eu's broker is the global broker");
        assertThat(ServerConfig.parse(concat(rules, "--region", "eu-west", "--anonymous", "true", "--broker",
                "redis://127.0.0.1:7000", "--pin-users", "eu.*=eu"), k -> null).residency().zoneOfUser("eu.anna")).contains("eu");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.parse(concat(rules, "--pin-users", "eu.*=apac"),
                k -> null)).hasMessageContaining("'apac'");
        Retention kept = ServerConfig.parse(new String[] {"--retention", "eu-*=1000/30d, lobby=100,audit-*=12h"}, k -> null)
                .retention();
        assertThat(kept.of("eu-files")).contains(new Retention.Limit(1000, java.time.Duration.ofDays(30)));
        assertThat(kept.of("lobby")).contains(new Retention.Limit(100, null));
        assertThat(kept.of("audit-x")).contains(new Retention.Limit(0, java.time.Duration.ofHours(12)));
        assertThat(kept.of("other")).isEmpty();
        for (String bad : new String[] {"eu-*", "eu-*=", "eu-*=10x", "*=10", "eu-*=0"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--retention", bad},
                    k -> null)).as(bad).hasMessageContaining("--retention");
        }
    }

    @Test
    void adminApiErasesAUserWithTheRightKeyOnly() throws Exception {
        String key = "an-admin-key-of-at-least-32-characters";
        try (ExampleServer server = ExampleServer.start(ServerConfig.parse(new String[] {"--anonymous", "true", "--region",
                "us-east", "--port", "0", "--http-port", "0", "--admin-keys", "old-key-that-is-32-characters-long!," + key},
                k -> null));
             TestClient mallory = TestClient.connectAs(server.nodes().get(0).uri(), "mallory");
             TestClient rita = TestClient.connectAs(server.nodes().get(0).uri(), "rita")) {
            mallory.join("r");
            rita.join("r");
            mallory.publishAndAwait("r", "m1", java.time.Duration.ofSeconds(10));
            rita.publishAndAwait("r", "r1", java.time.Duration.ofSeconds(10));
            HttpClient http = HttpClient.newHttpClient();
            URI erase = URI.create("http://127.0.0.1:" + server.httpPort() + "/admin/erase?user=mallory");
            java.util.function.Function<String, HttpResponse<String>> post = auth -> {
                HttpRequest.Builder b = HttpRequest.newBuilder(erase).POST(HttpRequest.BodyPublishers.noBody());
                if (auth != null) {
                    b.header("Authorization", auth);
                }
                try {
                    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            for (String bad : new String[] {null, "Bearer wrong", "Basic " + key, "Bearer " + key + "x"}) {
                HttpResponse<String> refused = post.apply(bad);
                assertThat(refused.statusCode()).as(String.valueOf(bad)).isEqualTo(401);
                assertThat(refused.body()).contains("unauthorized");
            }
            assertThat(server.nodes().get(0).history("r", null, 10).get(5, java.util.concurrent.TimeUnit.SECONDS).messages())
                    .as("nothing erased by refused calls").hasSize(2);
            HttpResponse<String> done = post.apply("Bearer " + key);
            assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
            var report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(done.body());
            assertThat(report.path("total").asLong()).isEqualTo(1);
            assertThat(report.path("complete").asBoolean()).isTrue();
            assertThat(server.nodes().get(0).history("r", null, 10).get(5, java.util.concurrent.TimeUnit.SECONDS).messages())
                    .extracting(m -> m.envelope().id()).containsExactly("r1");
            assertThat(mallory.awaitClose(java.time.Duration.ofSeconds(10))).isEqualTo(4500);
            assertThat(post.apply("Bearer old-key-that-is-32-characters-long!").statusCode()).as("the rotated-out key still works")
                    .isEqualTo(200);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--admin-keys", "short"},
                k -> null)).hasMessageContaining("--admin-keys").hasMessageNotContaining("short");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void badFlagsAreNamed() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--nope", "1"}, k -> null))
                .hasMessageContaining("--nope");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--port", "x"}, k -> null))
                .hasMessageContaining("--port").hasMessageContaining("'x'");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> ServerConfig.parse(new String[] {"--broker", "amqp://u:pw@h:1"}, k -> null))
                .hasMessageContaining("--broker").hasMessageNotContaining("pw");
        assertThat(ServerConfig.usage()).contains("--http-port", "GEOWS_HTTP_PORT", "GEOWS_BROKER");
        ServerConfig fromEnv = ServerConfig.parse(new String[] {"--region", "eu-west"},
                k -> k.equals("GEOWS_BROKER") ? "redis://127.0.0.1:7000" : k.equals("GEOWS_ANONYMOUS") ? "true" : null);
        assertThat(fromEnv.broker()).isEqualTo("redis://127.0.0.1:7000");
        assertThat(fromEnv.security().anonymous()).isTrue();
        // a cluster node must be told how clients authenticate: anonymous only when asked for
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--region", "eu-west",
                "--broker", "redis://127.0.0.1:7000"}, k -> null)).hasMessageContaining("--token-secret").hasMessageContaining("--anonymous");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--inter-region-keys", "k1:c2hvcnQ="},
                k -> null)).hasMessageContaining("at least 32 bytes").hasMessageNotContaining("c2hvcnQ");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--tls-cert", "/x.pem"}, k -> null))
                .hasMessageContaining("--tls-key");
        ServerConfig secured = ServerConfig.parse(new String[] {"--region", "eu-west", "--token-secret", "s".repeat(32),
                "--max-messages-per-second", "5", "--max-connections-per-address", "0", "--allowed-origins",
                "https://a.example, http://localhost:8080"}, k -> null);
        assertThat(secured.security().anonymous()).isFalse();
        assertThat(secured.limits().messagesPerSecond()).isEqualTo(5);
        assertThat(secured.limits().maxConnectionsPerAddress()).isZero();
        assertThat(secured.security().allowedOrigins()).containsExactly("https://a.example", "http://localhost:8080");
        assertThat(fromEnv.demo()).isFalse();
        assertThat(ServerConfig.parse(new String[0], k -> null).demo()).isTrue();
        ServerConfig limited = ServerConfig.parse(new String[] {"--max-rooms", "7", "--max-frame-bytes=32768",
                "--regions", "eu-west=wss://eu.example.com/, ap-south=ws://10.0.0.1:8081/"}, k -> null);
        assertThat(limited.limits().maxRoomsPerSession()).isEqualTo(7);
        assertThat(limited.limits().maxFrameBytes()).isEqualTo(32768);
        assertThat(limited.peers()).containsEntry("eu-west", "wss://eu.example.com/").containsKey("ap-south");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--max-rooms", "0"}, k -> null))
                .hasMessageContaining("maxRoomsPerSession");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--max-rooms", "many"}, k -> null))
                .hasMessageContaining("--max-rooms").hasMessageContaining("'many'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--regions", "eu-west"}, k -> null))
                .hasMessageContaining("--regions");
    }

    private static String get(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
