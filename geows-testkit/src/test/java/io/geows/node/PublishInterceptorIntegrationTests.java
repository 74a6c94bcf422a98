package io.geows.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.PublishDecision;
import io.geows.PublishInterceptor;
import io.geows.RoomHistory;
import io.geows.RoomMessage;
import io.geows.memory.InMemoryBroker;
import io.geows.testkit.TestClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PublishInterceptorIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();

    /** The chat rules of an imagined application: no shouting, nothing long, "slow" rooms never answer. */
    private final PublishInterceptor rules = request -> {
        String data = request.data();
        if (request.room().startsWith("slow")) {
            return new CompletableFuture<>(); // never decides
        }
        if (data.contains("BOOM")) {
            throw new IllegalStateException("the interceptor has a bug");
        }
        if (data.contains("SHOUT")) {
            return CompletableFuture.completedFuture(PublishDecision.reject("no shouting"));
        }
        if (data.length() > 40) {
            return CompletableFuture.completedFuture(PublishDecision.reject("too_long", "at most 40 characters"));
        }
        if (data.contains("darn")) {
            return CompletableFuture.completedFuture(PublishDecision.acceptWith(data.replace("darn", "****")));
        }
        // Decide after a random delay: the session's order must hold anyway.
        CompletableFuture<PublishDecision> d = new CompletableFuture<>();
        later.schedule(() -> d.complete(PublishDecision.accept()), ThreadLocalRandom.current().nextInt(5), TimeUnit.MILLISECONDS);
        return d;
    };

    private GeoWsNode node(PublishInterceptor interceptor) {
        return GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east")
                .nodeId("hooks-" + System.nanoTime()).broker(new InMemoryBroker().connect("hooks"))
                .publishInterceptor(interceptor).hookTimeout(Duration.ofMillis(300)).drainTimeout(Duration.ZERO)
                .build().start();
    }

    @AfterEach
    void stop() {
        later.shutdownNow();
    }

    @Test
    @DisplayName("a rejected publish reaches its sender as forbidden or app.<code>; nothing is stored or delivered")
    void rejectionsReachTheSenderAndNothingIsStored() throws Exception {
        try (GeoWsNode node = node(rules);
             TestClient alice = TestClient.connectAs(node.uri(), "alice");
             TestClient bob = TestClient.connectAs(node.uri(), "bob")) {
            alice.join("chat");
            bob.join("chat");

            JsonNode shout = alice.publish("chat", "m1", "SHOUT");
            assertThat(shout.path("code").asText()).isEqualTo("forbidden");
            assertThat(shout.path("message").asText()).isEqualTo("no shouting");
            JsonNode long1 = alice.publish("chat", "m2", "x".repeat(50));
            assertThat(long1.path("code").asText()).isEqualTo("app.too_long");
            assertThat(alice.publish("chat", "m3", "fine").path("type").asText()).isEqualTo("ack");

            assertThat(bob.awaitMessage("chat").path("id").asText()).as("the first message bob gets").isEqualTo("m3");
            RoomHistory h = node.history("chat", null, 10).get(5, TimeUnit.SECONDS);
            assertThat(h.messages()).extracting(m -> m.envelope().id()).containsExactly("m3");
        }
    }

    @Test
    @DisplayName("changed data is what every member and the history get")
    void changedDataReachesMembersAndHistory() throws Exception {
        try (GeoWsNode node = node(rules);
             TestClient alice = TestClient.connectAs(node.uri(), "alice");
             TestClient bob = TestClient.connectAs(node.uri(), "bob")) {
            alice.join("chat");
            bob.join("chat");
            assertThat(alice.publish("chat", "m1", "oh darn").path("type").asText()).isEqualTo("ack");
            for (TestClient c : List.of(alice, bob)) {
                assertThat(c.awaitMessage("chat").path("data").asText()).isEqualTo("oh ****");
            }
            assertThat(node.history("chat", null, 10).get(5, TimeUnit.SECONDS).messages())
                    .extracting(RoomMessage::data).containsExactly("\"oh ****\"");
        }
    }

    @Test
    @DisplayName("a session's publishes keep their order when the interceptor decides after random delays")
    void orderHoldsWithAnAsynchronousInterceptor() {
        try (GeoWsNode node = node(rules);
             TestClient alice = TestClient.connectAs(node.uri(), "alice");
             TestClient bob = TestClient.connectAs(node.uri(), "bob")) {
            alice.join("chat");
            bob.join("chat");
            List<String> ids = IntStream.range(0, 50).mapToObj(i -> "m" + i).toList();
            ids.forEach(id -> alice.send(Map.of("type", "publish", "room", "chat", "id", id, "data", id)));
            List<String> got = IntStream.range(0, 50).mapToObj(i -> bob.awaitMessage("chat").path("id").asText()).toList();
            assertThat(got).containsExactlyElementsOf(ids);
        }
    }

    @Test
    @DisplayName("a slow interceptor times out with 'timeout' for its client; other sessions are not held up")
    void slowInterceptorTimesOutOthersUnaffected() {
        try (GeoWsNode node = node(rules);
             TestClient alice = TestClient.connectAs(node.uri(), "alice");
             TestClient carol = TestClient.connectAs(node.uri(), "carol")) {
            alice.join("slow-room");
            carol.join("chat");
            alice.send(Map.of("type", "publish", "room", "slow-room", "id", "s1", "data", "hello"));
            long start = System.nanoTime();
            assertThat(carol.publish("chat", "c1", "meanwhile").path("type").asText()).isEqualTo("ack");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("carol's publish did not wait for alice's")
                    .isLessThan(Duration.ofMillis(300));
            JsonNode timeout = alice.awaitRef("s1");
            assertThat(timeout.path("code").asText()).isEqualTo("timeout");
            // The session goes on: its next publish is decided (and times out again) rather than stuck.
            assertThat(alice.publish("slow-room", "s2", "again").path("code").asText()).isEqualTo("timeout");
            assertThat(alice.isOpen()).isTrue();
        }
    }

    @Test
    @DisplayName("an interceptor that throws fails the publish with handler_failed; the session and the node go on")
    void throwingInterceptorKillsNothing() {
        try (GeoWsNode node = node(rules);
             TestClient alice = TestClient.connectAs(node.uri(), "alice")) {
            alice.join("chat");
            assertThat(alice.publish("chat", "b1", "BOOM").path("code").asText()).isEqualTo("handler_failed");
            assertThat(alice.publish("chat", "b2", "fine").path("type").asText()).isEqualTo("ack");
            assertThat(alice.isOpen()).isTrue();
            assertThat(node.isReady()).isTrue();
        }
    }
}
