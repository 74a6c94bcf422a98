package io.geows.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.memory.InMemoryBroker;
import io.geows.memory.InMemoryConnection;
import io.geows.testkit.Await;
import io.geows.testkit.TestClient;
import io.geows.testkit.MemoryBrokerFaults;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Hostile or unlucky sequences that must not cost other sessions their messages. */
class RoomSafetyIntegrationTests {

    @Test
    @DisplayName("a forged far-future 'since' gets no replay and does not silence the room for others")
    void forgedSinceDoesNotSilenceTheRoom() {
        try (GeoWsNode node = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east").build().start();
             TestClient mallory = TestClient.connectAs(node.uri(), "mallory");
             TestClient alice = TestClient.connectAs(node.uri(), "alice");
             TestClient bob = TestClient.connectAs(node.uri(), "bob")) {
            String epoch = bob.join("r").path("epoch").asText();
            mallory.send(Map.of("type", "join", "room", "r", "id", "evil",
                    "since", Map.of("offset", 1_000_000_000_000L, "epoch", epoch)));
            JsonNode joined = mallory.awaitRef("evil");
            assertThat(joined.path("recovered").asBoolean()).isFalse();
            assertThat(joined.path("offset").asLong()).isLessThan(1_000_000_000_000L);
            alice.join("r");
            assertThat(bob.publish("r", "hello", 1).path("type").asText()).isEqualTo("ack");
            assertThat(alice.awaitMessage("r").path("id").asText()).isEqualTo("hello");
            assertThat(mallory.awaitMessage("r").path("id").asText()).isEqualTo("hello");
        }
    }

    @Test
    @DisplayName("a publish sent right after join (before 'joined' arrives) reaches its own sender")
    void publishRightAfterJoinReachesTheSender() {
        try (GeoWsNode node = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east").build().start()) {
            for (int i = 0; i < 20; i++) {
                try (TestClient c = TestClient.connectAs(node.uri(), "quick" + i)) {
                    String room = "fast-" + i;
                    c.send(Map.of("type", "join", "room", room, "id", "j"));
                    c.send(Map.of("type", "publish", "room", room, "id", "p", "data", i));
                    JsonNode joined = c.awaitRef("j");
                    JsonNode own = c.awaitMessage(room);
                    assertThat(own.path("id").asText()).isEqualTo("p");
                    assertThat(own.path("offset").asLong()).isGreaterThan(joined.path("offset").asLong());
                }
            }
        }
    }

    @Test
    @DisplayName("lone surrogates: refused in room names, escaped in data, never an internal error")
    void loneSurrogates() {
        try (GeoWsNode node = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east").build().start();
             TestClient c = TestClient.connectAs(node.uri(), "u")) {
            c.sendRaw("{\"type\":\"join\",\"room\":\"\\ud800x\",\"id\":\"j\"}");
            assertThat(c.awaitRef("j").path("code").asText()).isEqualTo("bad_request");
            c.join("r");
            c.sendRaw("{\"type\":\"publish\",\"room\":\"r\",\"id\":\"p\",\"data\":\"\\ud800\"}");
            assertThat(c.awaitRef("p").path("type").asText()).isEqualTo("ack");
            assertThat(c.awaitMessage("r").path("id").asText()).isEqualTo("p");
            assertThat(node.stats().badFrames()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("leave and rejoin before the first join finished: no stale replay, no message twice")
    void rejoinBeforeFirstJoinFinished() {
        // 300 publishes at once: no rate limit in this test
        try (GeoWsNode node = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east")
                .limits(io.geows.NodeLimits.builder().messagesPerSecond(0).build()).build().start();
             TestClient pub = TestClient.connectAs(node.uri(), "pub");
             TestClient c = TestClient.connectAs(node.uri(), "c")) {
            pub.join("r");
            JsonNode first = pub.publish("r", "m0", 0);
            for (int i = 1; i < 300; i++) {
                pub.send(Map.of("type", "publish", "room", "r", "id", "m" + i, "data", i));
            }
            pub.awaitRef("m299");
            Map<String, Object> since = Map.of("offset", first.path("offset").asLong(), "epoch", first.path("epoch").asText());
            c.send(Map.of("type", "join", "room", "r", "id", "j1", "since", since));
            c.send(Map.of("type", "leave", "room", "r", "id", "l1"));
            c.send(Map.of("type", "join", "room", "r", "id", "j2", "since", since));
            c.awaitRef("j2");
            pub.publish("r", "end", "end");
            c.awaitFrame(f -> "end".equals(f.path("id").asText()), Duration.ofSeconds(10));
            // Each join with 'since' may replay; what must never happen is the first join's result
            // landing after the leave, on the second membership.
            List<JsonNode> frames = c.seen();
            int left = indexOf(frames, f -> "left".equals(TestClient.type(f)));
            int joined2 = indexOf(frames, f -> "j2".equals(f.path("ref").asText()));
            assertThat(frames.subList(left, joined2)).noneMatch(f -> "message".equals(TestClient.type(f))
                    || "j1".equals(f.path("ref").asText()));
            List<Long> after = frames.subList(joined2, frames.size()).stream()
                    .filter(f -> "message".equals(TestClient.type(f))).map(f -> f.path("offset").asLong()).toList();
            assertThat(after).isSorted().doesNotHaveDuplicates();
            assertThat(after).hasSize(300); // m1..m299 replayed after m0, then "end"
        }
    }

    private static int indexOf(List<JsonNode> frames, java.util.function.Predicate<JsonNode> p) {
        for (int i = 0; i < frames.size(); i++) {
            if (p.test(frames.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such frame in " + frames);
    }

    @Test
    @DisplayName("a burst of frames right after hello: every one is answered, none silently dropped")
    void burstBeforeWelcomeIsAnswered() {
        try (GeoWsNode node = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east").build().start();
             TestClient c = TestClient.connect(node.uri())) {
            c.send(Map.of("type", "hello", "token", "eager", "protocol", 1,
                    "resume", Map.of("r", Map.of("offset", 0, "epoch", "x"))));
            int n = 200;
            for (int i = 0; i < n; i++) {
                c.send(Map.of("type", "publish", "room", "r", "id", "p" + i, "data", i));
            }
            // Acks come when the broker has appended, errors at once: count answers, don't race them.
            Await.until(() -> "answers to the burst: " + c.seen(), Duration.ofSeconds(20), () ->
                    c.seen().stream().filter(f -> "ack".equals(TestClient.type(f))
                            || "error".equals(TestClient.type(f))).count() >= n);
            long acks = c.seen().stream().filter(f -> "ack".equals(TestClient.type(f))).count();
            long refused = c.seen().stream().filter(f -> "error".equals(TestClient.type(f))
                    && "bad_request".equals(f.path("code").asText())).count();
            assertThat(acks + refused).isEqualTo(n);
            assertThat(acks).isGreaterThanOrEqualTo(64);
        }
    }

    @Test
    @DisplayName("restoring a cut node while others publish loses nothing (restore is atomic with deliveries)")
    void restoreWhileOthersPublish() throws Exception {
        InMemoryBroker broker = new InMemoryBroker();
        InMemoryConnection cutMe = broker.connect("b");
        try (GeoWsNode a = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east").nodeId("a").broker(broker.connect("a")).build().start();
             GeoWsNode b = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("eu-west").nodeId("b").broker(cutMe).build().start();
             TestClient receiver = TestClient.connectAs(b.uri(), "receiver")) {
            receiver.join("r");
            List<TestClient> publishers = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                TestClient pub = TestClient.connectAs(a.uri(), "pub" + p);
                pub.join("r");
                publishers.add(pub);
            }
            AtomicInteger sent = new AtomicInteger();
            for (int round = 0; round < 20; round++) {
                MemoryBrokerFaults.cut(cutMe);
                Await.until("b notices", Duration.ofSeconds(5), () -> !b.isReady());
                AtomicBoolean go = new AtomicBoolean(true);
                List<Thread> threads = new ArrayList<>();
                for (TestClient pub : publishers) {
                    Thread t = new Thread(() -> {
                        for (int i = 0; i < 5 && go.get(); i++) {
                            pub.send(Map.of("type", "publish", "room", "r", "id", "x" + sent.incrementAndGet(), "data", 1));
                        }
                    });
                    threads.add(t);
                    t.start();
                }
                MemoryBrokerFaults.restore(cutMe);
                for (Thread t : threads) {
                    t.join();
                }
            }
            publishers.get(0).publish("r", "end", "end");
            int expected = sent.get() + 1;
            Await.until(() -> "receiver got " + receiver.seen().stream().filter(f -> "message".equals(TestClient.type(f))).count()
                    + " of " + expected, Duration.ofSeconds(20), () ->
                    receiver.seen().stream().filter(f -> "message".equals(TestClient.type(f))).count() >= expected);
            List<Long> offsets = receiver.seen().stream().filter(f -> "message".equals(TestClient.type(f)))
                    .map(f -> f.path("offset").asLong()).toList();
            assertThat(offsets).hasSize(expected).isSorted().doesNotHaveDuplicates();
            publishers.forEach(TestClient::close);
        }
    }

    @Test
    @DisplayName("data reaches every member, across regions and on replay, exactly as the publisher wrote it (no number normalised)")
    void dataIsDeliveredExactlyAsWritten() {
        String data = "{\"amount\":1234567890.12345678901234567890,\"e\":1E2,\"z\":-0,\"r\":0.10}";
        io.geows.memory.InMemoryBroker broker = new io.geows.memory.InMemoryBroker();
        try (GeoWsNode us = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east")
                     .broker(broker.connect("us")).build().start();
             GeoWsNode eu = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("eu-west")
                     .broker(broker.connect("eu")).build().start();
             TestClient alice = TestClient.connectAs(us.uri(), "alice");
             TestClient bob = TestClient.connectAs(eu.uri(), "bob")) {
            alice.join("r");
            bob.join("r");
            alice.sendRaw("{\"type\":\"publish\",\"room\":\"r\",\"id\":\"m1\",\"data\":" + data + "}");
            assertThat(alice.awaitRef("m1").path("type").asText()).isEqualTo("ack");
            bob.awaitMessage("r");
            assertThat(bob.seenText()).anyMatch(t -> t.contains("\"data\":" + data));
            try (TestClient carol = TestClient.connectAs(eu.uri(), "carol")) {
                carol.send(Map.of("type", "join", "room", "r", "id", "j", "since", Map.of("offset", 0,
                        "epoch", bob.seen().stream().filter(f -> "message".equals(TestClient.type(f))).findFirst()
                                .orElseThrow().path("epoch").asText())));
                carol.awaitMessage("r");
                assertThat(carol.seenText()).anyMatch(t -> t.contains("\"data\":" + data));
            }
        }
    }
}
