package io.geows.nats;

import static io.geows.nats.TestNodes.WAIT;
import static io.geows.nats.TestNodes.idsUntil;
import static io.geows.nats.TestNodes.publishUntilAcked;
import static io.geows.nats.TestNodes.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.GeoWsNode;
import io.geows.Topics;
import io.geows.testkit.Await;
import io.geows.testkit.NatsServer;
import io.geows.testkit.TestClient;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A real nats-server killed with SIGKILL and restarted; raw garbage published on geows subjects. */
class NatsFaultIntegrationTests {
    private static final Logger measured = LoggerFactory.getLogger("io.geows.nats.Measured");
    private static NatsServer nats;
    private final TestNodes t = new TestNodes();

    @BeforeAll
    static void startServer() {
        nats = NatsServer.builder().jetStream().start();
    }

    @AfterAll
    static void stopServer() {
        nats.close();
    }

    @AfterEach
    void closeNodes() throws Exception {
        t.close();
    }

    @Test
    @DisplayName("kill -9 and restart: nodes are not ready meanwhile, publishes are rejected, then messages flow again (timed)")
    void killAndRestartReconnectsAndMessagesFlowAgain() {
        GeoWsNode us = t.node("us-east", nats.uri());
        GeoWsNode eu = t.node("eu-west", nats.uri());
        String room = unique("room");
        TestClient alice = t.client(us, "alice");
        TestClient bob = t.client(eu, "bob");
        alice.join(room);
        bob.join(room);
        alice.publish(room, "before", 0);
        assertThat(bob.awaitMessage(room).path("id").asText()).isEqualTo("before");

        nats.kill();
        Await.until("both nodes notice the crash", WAIT, () -> !us.isReady() && !eu.isReady());
        JsonNode refused = alice.publish(room, "during", 1);
        assertThat(refused.path("type").asText()).isEqualTo("error");
        assertThat(refused.path("code").asText()).isEqualTo("unavailable");
        assertThat(bob.publish(room, "during-bob", 1).path("code").asText()).isEqualTo("unavailable");
        assertThat(us.stats().publishRejected()).isEqualTo(1);

        long restartAt = System.nanoTime();
        nats.start();
        long serverUpAt = System.nanoTime();
        TestNodes.awaitReady(us, eu);
        long readyAt = System.nanoTime();
        // The first probe the broker accepts must reach bob on the other node.
        List<String> probes = new ArrayList<>();
        long ackedAt;
        while (true) {
            String id = "probe" + probes.size();
            probes.add(id);
            if ("ack".equals(TestClient.type(alice.publish(room, id, id)))) {
                ackedAt = System.nanoTime();
                break;
            }
        }
        String first = probes.get(probes.size() - 1);
        JsonNode delivered = bob.awaitFrame(f -> "message".equals(TestClient.type(f)) && first.equals(f.path("id").asText()), WAIT);
        long deliveredAt = System.nanoTime();
        assertThat(delivered.path("from").asText()).isEqualTo("alice");
        measured.info("nats-server {} SIGKILL/restart: process back in {} ms; both nodes ready {} ms after the server;"
                        + " first publish acknowledged {} ms and delivered to the other node {} ms after the server was back",
                nats.info().replaceAll(".*\"version\":\"([^\"]+)\".*", "$1"), millis(restartAt, serverUpAt),
                millis(serverUpAt, readyAt), millis(serverUpAt, ackedAt), millis(serverUpAt, deliveredAt));

        // The refused messages are the client's to resend, with the same id: delivered once, in order.
        publishUntilAcked(alice, room, "during");
        publishUntilAcked(bob, room, "during-bob");
        alice.publish(room, "end", "end");
        assertThat(idsUntil(bob, room, "end")).containsExactly("during", "during-bob");
        assertThat(eu.stats().brokerReconnects()).isEqualTo(1);
        assertThat(bob.seen().stream().filter(f -> "message".equals(TestClient.type(f))).map(f -> f.path("id").asText()))
                .as("every message bob saw, once each").doesNotHaveDuplicates();
    }

    @Test
    @DisplayName("raw garbage published with jnats on every geows subject is dropped and counted; the node keeps serving")
    void rawGarbageOnGeowsSubjectsIsDroppedAndCounted() throws Exception {
        GeoWsNode us = t.node("us-east", nats.uri());
        String room = unique("room");
        TestClient alice = t.client(us, "alice");
        alice.join(room);
        alice.publish(room, "first", 1);
        JsonNode first = alice.awaitMessage(room);
        Topics topics = Topics.defaults();
        String epoch = first.path("epoch").asText();
        try (Connection raw = Nats.connect(nats.uri())) {
            byte[] garbage = "\u0000\u00ffnot json".getBytes(StandardCharsets.ISO_8859_1);
            raw.publish(topics.room(room), garbage);
            raw.publish(topics.node(us.nodeId()), garbage);
            raw.publish(topics.all(), garbage);
            raw.publish(topics.all(), "{\"k\":\"message\"}".getBytes(StandardCharsets.UTF_8));
            // forged "live" copy without the stream's headers: ignored by the adapter (no offset to trust)
            raw.publish("geows.live." + Topics.escape(room), garbage);
            // garbage appended to the history stream itself arrives with an offset, and is dropped by the node
            raw.jetStream().publish("geows.history." + epoch + "." + Topics.escape(room), garbage);
            raw.flush(java.time.Duration.ofSeconds(5));
        }
        Await.until(() -> "dropped count, now " + us.stats().brokerMessagesDropped(), WAIT,
                () -> us.stats().brokerMessagesDropped() >= 5);
        assertThat(us.isReady()).isTrue();
        assertThat(alice.publish(room, "still-works", 1).path("type").asText()).isEqualTo("ack");
        assertThat(alice.awaitMessage(room).path("id").asText()).isEqualTo("still-works");
        assertThat(alice.seen().stream().filter(f -> "message".equals(TestClient.type(f))).map(f -> f.path("id").asText()))
                .containsExactly("first", "still-works");
    }

    private static long millis(long from, long to) {
        return (to - from) / 1_000_000;
    }
}
