package io.geows.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.testkit.Await;
import io.geows.testkit.RedisServer;
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
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Two regions as separate JVM processes (the example server) on one real Redis. */
class TwoProcessRedisIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static RedisServer redis;
    private static ServerProcess us;
    private static ServerProcess eu;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.launch();
        us = ServerProcess.launch("us-east", "us-proc-1", redis.uri());
        eu = ServerProcess.launch("eu-west", "eu-proc-1", redis.uri());
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
        TwoProcessScenario.run(us, eu);
    }

    @Test
    @DisplayName("SIGTERM drains a process (readiness off, goaway to its clients) and it exits 0")
    void sigtermDrainsAndExitsZero() throws Exception {
        ServerProcess extra = ServerProcess.launch("eu-west", "eu-proc-2", redis.uri());
        HttpClient http = HttpClient.newHttpClient();
        Await.until("ready", WAIT, () -> get(http, extra.http().resolve("/readyz")).statusCode() == 200);
        try (TestClient c = TestClient.connectAs(extra.ws(), "leaver")) {
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
                try {
                    return extra.stop();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            JsonNode goaway = c.awaitType("goaway");
            assertThat(goaway.path("reason").asText()).contains("draining");
            c.close(); // a client that honours goaway leaves; the drain then ends at once
            assertThat(exit.get(30, java.util.concurrent.TimeUnit.SECONDS)).isZero();
        }
    }

    private static HttpResponse<String> get(HttpClient http, URI uri) {
        return TwoProcessScenario.get(http, uri);
    }
}
