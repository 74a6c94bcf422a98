package io.geows.nats;

import static io.geows.nats.TestNodes.WAIT;
import static io.geows.nats.TestNodes.idsUntil;
import static io.geows.nats.TestNodes.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.GeoWsNode;
import io.geows.testkit.Await;
import io.geows.testkit.NatsSuperCluster;
import io.geows.testkit.TestClient;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two regions on a real two-cluster NATS super-cluster: each node connects only to its own region's
 * server; everything that crosses regions goes through the gateway. History lives in us-east.
 */
class SuperClusterIntegrationTests {
    private static NatsSuperCluster nats;
    private final TestNodes t = new TestNodes();

    @BeforeAll
    static void startSuperCluster() {
        nats = NatsSuperCluster.start("us-east", "eu-west");
    }

    @AfterAll
    static void stopSuperCluster() {
        nats.close();
    }

    @AfterEach
    void closeNodes() throws Exception {
        t.close();
    }

    private GeoWsNode node(String region) {
        return t.node(region, nats.server(region).uri());
    }

    @Test
    @DisplayName("a room message, a direct message and presence cross from us-east to eu-west and back through the gateway")
    void roomDirectAndPresenceCrossRegions() {
        GeoWsNode us = node("us-east");
        GeoWsNode eu = node("eu-west");
        String room = unique("lobby");
        TestClient alice = t.client(us, "alice");
        TestClient carol = t.client(eu, "carol");
        alice.join(room);
        carol.join(room);

        JsonNode joined = alice.awaitPresence(room, "carol", true, WAIT);
        assertThat(joined.path("region").asText()).isEqualTo("eu-west");

        List<String> fromUs = IntStream.range(0, 10).mapToObj(i -> "us" + i).toList();
        fromUs.forEach(id -> assertThat(alice.publish(room, id, id).path("type").asText()).isEqualTo("ack"));
        assertThat(carol.publish(room, "eu0", "eu0").path("type").asText()).isEqualTo("ack");
        alice.publish(room, "end", "end");
        assertThat(idsUntil(carol, room, "end")).containsExactlyElementsOf(concat(fromUs, List.of("eu0")));
        assertThat(idsUntil(alice, room, "end")).containsExactlyElementsOf(concat(fromUs, List.of("eu0")));

        carol.send(Map.of("type", "direct", "to", "alice", "id", "d1", "data", "psst"));
        assertThat(carol.awaitRef("d1").path("delivered").asInt()).isEqualTo(1);
        JsonNode direct = alice.awaitType("direct");
        assertThat(direct.path("from").asText()).isEqualTo("carol");
        assertThat(direct.path("region").asText()).isEqualTo("eu-west");

        alice.send(Map.of("type", "presence", "room", room, "id", "p1"));
        Set<String> members = new HashSet<>();
        alice.awaitRef("p1").path("members").forEach(m -> members.add(m.path("user").asText() + "@" + m.path("region").asText()));
        assertThat(members).containsExactlyInAnyOrder("alice@us-east", "carol@eu-west");
    }

    @Test
    @DisplayName("a client that reconnects to the other region resumes from its offset, in both directions")
    void resumeAfterReconnectingToTheOtherRegion() {
        GeoWsNode us = node("us-east");
        GeoWsNode eu = node("eu-west");
        String room = unique("room");
        TestClient alice = t.client(us, "alice");
        alice.join(room);

        // carol leaves eu-west and comes back in us-east; bob leaves us-east and comes back in eu-west
        TestClient carol = TestClient.connectAs(eu.uri(), "carol");
        TestClient bob = TestClient.connectAs(us.uri(), "bob");
        carol.join(room);
        bob.join(room);
        alice.publish(room, "before", 0);
        JsonNode carolLast = carol.awaitMessage(room);
        JsonNode bobLast = bob.awaitMessage(room);
        carol.close();
        bob.close();

        List<String> missed = IntStream.range(0, 6).mapToObj(i -> "missed" + i).toList();
        missed.forEach(id -> assertThat(alice.publish(room, id, id).path("type").asText()).isEqualTo("ack"));

        TestClient carolInUs = t.closeLater(TestClient.connect(us.uri()));
        TestClient bobInEu = t.closeLater(TestClient.connect(eu.uri()));
        resume(carolInUs, "carol", room, carolLast);
        resume(bobInEu, "bob", room, bobLast);
        assertThat(carolInUs.awaitType("welcome").path("recovered").path(room).asBoolean()).isTrue();
        JsonNode welcome = bobInEu.awaitType("welcome");
        assertThat(welcome.path("recovered").path(room).asBoolean()).isTrue();
        assertThat(welcome.path("region").asText()).isEqualTo("eu-west");
        alice.publish(room, "live", "live");
        alice.publish(room, "end", "end");
        for (TestClient c : List.of(carolInUs, bobInEu)) {
            assertThat(idsUntil(c, room, "end")).containsExactlyElementsOf(concat(missed, List.of("live")));
        }
    }

    @Test
    @DisplayName("a node in eu-west appends to the us-east history and its ack offset is what us-east members see")
    void offsetsAgreeAcrossRegions() {
        GeoWsNode us = node("us-east");
        GeoWsNode eu = node("eu-west");
        String room = unique("room");
        TestClient alice = t.client(us, "alice");
        TestClient carol = t.client(eu, "carol");
        alice.join(room);
        carol.join(room);
        JsonNode ack = carol.publish(room, "c1", 1);
        JsonNode seen = alice.awaitMessage(room);
        assertThat(seen.path("offset").asLong()).isEqualTo(ack.path("offset").asLong());
        assertThat(seen.path("epoch").asText()).isEqualTo(ack.path("epoch").asText());
        Await.until("both nodes still ready", WAIT, () -> us.isReady() && eu.isReady());
    }

    static void resume(TestClient c, String user, String room, JsonNode last) {
        c.send(Map.of("type", "hello", "token", user, "protocol", 1, "id", "h",
                "resume", Map.of(room, Map.of("offset", last.path("offset").asLong(), "epoch", last.path("epoch").asText()))));
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
