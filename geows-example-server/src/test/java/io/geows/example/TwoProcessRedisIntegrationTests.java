package io.geows.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.testkit.Await;
import io.geows.testkit.RedisServer;
import io.geows.testkit.TestClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Two regions as separate JVM processes (the example server) on one real Redis. */
class TwoProcessRedisIntegrationTests {
    private static final Pattern NODE_LINE = Pattern.compile("node (\\S+) region (\\S+) ws (\\S+) http (\\S+)");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static RedisServer redis;
    private static ServerProcess us;
    private static ServerProcess eu;

    /** One example server in its own JVM. */
    record ServerProcess(Process process, URI ws, URI http) {
        void stop() throws InterruptedException {
            process.destroy(); // SIGTERM: the server's shutdown hook drains and closes
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    static ServerProcess launch(String region, String nodeId) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", classpath, ExampleServer.class.getName(),
                "--region", region, "--node-id", nodeId, "--host", "127.0.0.1", "--port", "0", "--http-port", "0",
                "--broker", redis.uri());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Matcher> started = new CompletableFuture<>();
        List<String> lines = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    Matcher m = NODE_LINE.matcher(line);
                    if (m.find()) {
                        started.complete(m);
                    }
                }
                started.completeExceptionally(new IllegalStateException("server exited: " + lines));
            } catch (IOException e) {
                started.completeExceptionally(e);
            }
        }, "example-server-output-" + nodeId);
        reader.setDaemon(true);
        reader.start();
        Matcher m = started.get(60, TimeUnit.SECONDS);
        return new ServerProcess(p, URI.create(m.group(3)), URI.create(m.group(4)));
    }

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.launch();
        us = launch("us-east", "us-proc-1");
        eu = launch("eu-west", "eu-proc-1");
    }

    @AfterAll
    static void stop() throws Exception {
        if (us != null) {
            us.stop();
        }
        if (eu != null) {
            eu.stop();
        }
        redis.close();
    }

    @Test
    @DisplayName("two processes on one Redis: a room message crosses, presence is right, resume in the other region works")
    void twoRegionsInTwoProcesses() throws Exception {
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

    private static HttpResponse<String> get(HttpClient http, URI uri) {
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
