package io.geows.nats;

import static io.geows.nats.TestNodes.WAIT;
import static io.geows.nats.TestNodes.idsUntil;
import static io.geows.nats.TestNodes.publishUntilAcked;
import static io.geows.nats.TestNodes.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.GeoWsNode;
import io.geows.testkit.Await;
import io.geows.testkit.NatsSuperCluster;
import io.geows.testkit.TestClient;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole region's NATS server is killed (the gateway is cut with it). History and presence live in
 * us-east, so losing eu-west leaves us-east fully working, while losing us-east makes eu-west refuse
 * room publishes (never drop them silently) until it is back.
 */
class RegionFailureIntegrationTests {
    private static final Logger measured = LoggerFactory.getLogger("io.geows.nats.Measured");
    private NatsSuperCluster nats;
    private final TestNodes t = new TestNodes();

    @BeforeEach
    void startSuperCluster() {
        nats = NatsSuperCluster.start("us-east", "eu-west");
    }

    @AfterEach
    void stop() throws Exception {
        t.close();
        nats.close();
    }

    private GeoWsNode node(String region) {
        return t.node(region, nats.server(region).uri());
    }

    @Test
    @DisplayName("with eu-west's NATS killed, us-east keeps serving its users; eu-west catches up in order when it is back")
    void usEastKeepsServingWhenEuWestIsLost() {
        GeoWsNode us1 = node("us-east");
        GeoWsNode us2 = node("us-east");
        String euId = unique("eu-west");
        NatsBroker euBroker = TestNodes.options(nats.server("eu-west").uri(), euId).build();
        java.util.concurrent.atomic.AtomicLong restoredAt = new java.util.concurrent.atomic.AtomicLong();
        euBroker.addListener(e -> {
            if (e == io.geows.spi.BrokerEvent.RESTORED) {
                restoredAt.set(System.nanoTime());
            }
        });
        GeoWsNode eu1 = t.node("eu-west", euId, euBroker);
        String room = unique("room");
        TestClient alice = t.client(us1, "alice");
        TestClient bob = t.client(us2, "bob");
        TestClient carol = t.client(eu1, "carol");
        List.of(alice, bob, carol).forEach(c -> c.join(room));
        alice.publish(room, "before", 0);
        assertThat(carol.awaitMessage(room).path("id").asText()).isEqualTo("before");

        nats.server("eu-west").kill();
        Await.until("eu-west node notices", WAIT, () -> !eu1.isReady());
        assertThat(us1.isReady() && us2.isReady()).isTrue();

        List<String> during = IntStream.range(0, 5).mapToObj(i -> "a" + i).toList();
        for (String id : during) {
            JsonNode answer = alice.publish(room, id, id);
            assertThat(answer.path("type").asText()).as("%s answered %s", id, answer).isEqualTo("ack");
        }
        JsonNode b0 = bob.publish(room, "b0", 0);
        assertThat(b0.path("type").asText()).as("b0 answered %s", b0).isEqualTo("ack");
        alice.publish(room, "mark", 0);
        List<String> expected = concat(during, List.of("b0"));
        assertThat(idsUntil(bob, room, "mark")).containsExactlyElementsOf(concat(List.of("before"), expected));
        assertThat(idsUntil(alice, room, "mark")).containsExactlyElementsOf(concat(List.of("before"), expected));

        alice.send(Map.of("type", "direct", "to", "bob", "id", "d1", "data", "still here"));
        assertThat(alice.awaitRef("d1").path("type").asText()).isEqualTo("ack");
        assertThat(bob.awaitType("direct").path("data").asText()).isEqualTo("still here");
        // a room nobody held before: a new subscription and a position read, without the lost region
        String fresh = unique("fresh");
        TestClient dave = t.client(us2, "dave");
        assertThat(dave.join(fresh).path("type").asText()).isEqualTo("joined");
        alice.join(fresh);
        alice.publish(fresh, "f1", 1);
        assertThat(dave.awaitMessage(fresh).path("id").asText()).isEqualTo("f1");

        long restartAt = System.nanoTime();
        nats.server("eu-west").start();
        long healthyAt = System.nanoTime();
        TestNodes.awaitReady(eu1);
        measured.info("eu-west NATS restarted: the eu node reported RESTORED {} ms after the restart began (the server's"
                + " /healthz, which waits for a JetStream metadata leader, answered after {} ms)",
                (restoredAt.get() - restartAt) / 1_000_000, (healthyAt - restartAt) / 1_000_000);
        alice.publish(room, "end", "end");
        assertThat(idsUntil(carol, room, "end")).containsExactlyElementsOf(concat(expected, List.of("mark")));
    }

    @Test
    @DisplayName("with the history home us-east killed, eu-west refuses room publishes but serves direct messages; they flow again when it is back")
    void euWestRefusesRoomPublishesWhileTheHistoryHomeIsLost() {
        GeoWsNode us1 = node("us-east");
        GeoWsNode eu1 = node("eu-west");
        String room = unique("room");
        TestClient alice = t.client(us1, "alice");
        TestClient carol = t.client(eu1, "carol");
        TestClient dave = t.client(eu1, "dave");
        List.of(alice, carol, dave).forEach(c -> c.join(room));
        carol.publish(room, "before", 0);
        assertThat(dave.awaitMessage(room).path("id").asText()).isEqualTo("before");
        assertThat(alice.awaitMessage(room).path("id").asText()).isEqualTo("before");

        nats.server("us-east").kill();
        JsonNode refused = carol.publish(room, "c1", 1);
        assertThat(refused.path("type").asText()).as("answer %s", refused).isEqualTo("error");
        assertThat(refused.path("code").asText()).isEqualTo("unavailable");
        carol.send(Map.of("type", "direct", "to", "dave", "id", "d1", "data", "local"));
        assertThat(carol.awaitRef("d1").path("type").asText()).isEqualTo("ack");
        assertThat(dave.awaitType("direct").path("data").asText()).isEqualTo("local");

        nats.server("us-east").start();
        TestNodes.awaitReady(us1, eu1);
        publishUntilAcked(carol, room, "c1");
        carol.publish(room, "end", "end");
        assertThat(idsUntil(dave, room, "end")).containsExactly("c1");
        assertThat(idsUntil(alice, room, "end")).containsExactly("c1");
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
