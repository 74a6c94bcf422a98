package io.geows.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.GeoWsNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Messages across regions on one broker: room messages to every member once and in order, direct
 * messages, presence, broadcasts, resume on another region, {@code since} joins and repeated publish
 * ids. Part of the {@link BrokerCompatibilityKit}.
 *
 * @since 0.2.0
 */
public abstract class BrokerMessagingKit extends ServerOperationsKit {
    // ------------------------------------------------------------------ routing

    @Test
    @DisplayName("a room message from us-east reaches every member in both regions exactly once, in order")
    void roomMessageReachesEveryMemberInBothRegionsExactlyOnce() {
        GeoWsNode us1 = startNode("us-east", unique("us1"));
        GeoWsNode us2 = startNode("us-east", unique("us2"));
        GeoWsNode eu1 = startNode("eu-west", unique("eu1"));
        String room = unique("lobby");
        TestClient alice = client(us1, "alice");
        TestClient bob = client(us2, "bob");
        TestClient carol = client(eu1, "carol");
        TestClient dave = client(eu1, "dave");
        List.of(alice, bob, carol, dave).forEach(c -> c.join(room));

        List<String> sent = IntStream.range(0, 20).mapToObj(i -> "m" + i).toList();
        long lastOffset = 0;
        for (String id : sent) {
            JsonNode ack = alice.publish(room, id, Map.of("text", id));
            assertThat(ack.path("type").asText()).as("answer to %s: %s", id, ack).isEqualTo("ack");
            assertThat(ack.path("offset").asLong()).isGreaterThan(lastOffset);
            lastOffset = ack.path("offset").asLong();
        }
        assertThat(alice.publish(room, "end", "end").path("type").asText()).isEqualTo("ack");

        for (TestClient c : List.of(alice, bob, carol, dave)) {
            assertThat(idsUntil(c, room, "end")).as("messages before the sentinel").containsExactlyElementsOf(sent);
        }
        JsonNode seenByCarol = carol.seen().stream()
                .filter(f -> "message".equals(TestClient.type(f)) && "m3".equals(f.path("id").asText()))
                .findFirst().orElseThrow();
        assertThat(seenByCarol.path("from").asText()).isEqualTo("alice");
        assertThat(seenByCarol.path("region").asText()).isEqualTo("us-east");
        assertThat(seenByCarol.path("node").asText()).isEqualTo(us1.nodeId());
        assertThat(seenByCarol.path("data").path("text").asText()).isEqualTo("m3");
        assertThat(seenByCarol.path("ts").asLong()).isPositive();
    }

    @Test
    @DisplayName("a direct message reaches a user connected in the other region, and an offline user is reported")
    void directMessageReachesUserInOtherRegion() {
        GeoWsNode us1 = startNode("us-east", unique("us1"));
        GeoWsNode eu1 = startNode("eu-west", unique("eu1"));
        TestClient alice = client(us1, "alice");
        TestClient carol = client(eu1, "carol");
        TestClient carolPhone = client(eu1, "carol");

        Await.until("carol visible in presence", WAIT, () -> {
            alice.send(Map.of("type", "direct", "to", "carol", "id", "probe-" + System.nanoTime(), "data", "probe"));
            return "ack".equals(TestClient.type(alice.awaitFrame(f -> f.has("ref") && f.path("ref").asText().startsWith("probe-"), WAIT)));
        });
        alice.send(Map.of("type", "direct", "to", "carol", "id", "d1", "data", Map.of("text", "psst")));
        JsonNode ack = alice.awaitRef("d1");
        assertThat(ack.path("type").asText()).isEqualTo("ack");
        assertThat(ack.path("delivered").asInt()).isEqualTo(1);
        for (TestClient c : List.of(carol, carolPhone)) {
            JsonNode d = c.awaitFrame(f -> "direct".equals(TestClient.type(f)) && "d1".equals(f.path("id").asText()), WAIT);
            assertThat(d.path("from").asText()).isEqualTo("alice");
            assertThat(d.path("region").asText()).isEqualTo("us-east");
            assertThat(d.path("data").path("text").asText()).isEqualTo("psst");
        }

        alice.send(Map.of("type", "direct", "to", "nobody-" + UUID.randomUUID(), "id", "d2", "data", 1));
        JsonNode err = alice.awaitRef("d2");
        assertThat(err.path("type").asText()).isEqualTo("error");
        assertThat(err.path("code").asText()).isEqualTo("user_offline");
    }

    @Test
    @DisplayName("presence in a room lists the users of both regions and sees a leave")
    void presenceListsUsersOfBothRegionsAndSeesLeave() {
        GeoWsNode us1 = startNode("us-east", unique("us1"));
        GeoWsNode eu1 = startNode("eu-west", unique("eu1"));
        String room = unique("room");
        TestClient alice = client(us1, "alice");
        TestClient carol = client(eu1, "carol");
        alice.join(room);
        carol.join(room);
        JsonNode joinEvent = alice.awaitPresence(room, "carol", true, WAIT);
        assertThat(joinEvent.path("region").asText()).isEqualTo("eu-west");

        alice.send(Map.of("type", "presence", "room", room, "id", "p1"));
        JsonNode snapshot = alice.awaitRef("p1");
        Set<String> members = new HashSet<>();
        snapshot.path("members").forEach(m -> members.add(m.path("user").asText() + "@" + m.path("region").asText()));
        assertThat(members).containsExactlyInAnyOrder("alice@us-east", "carol@eu-west");

        carol.send(Map.of("type", "leave", "room", room, "id", "l1"));
        assertThat(carol.awaitRef("l1").path("type").asText()).isEqualTo("left");
        JsonNode leave = alice.awaitPresence(room, "carol", false, WAIT);
        assertThat(leave.path("region").asText()).isEqualTo("eu-west");
        alice.send(Map.of("type", "presence", "room", room, "id", "p2"));
        JsonNode after = alice.awaitRef("p2");
        assertThat(after.path("members")).extracting(m -> m.path("user").asText()).containsExactly("alice");
    }

    @Test
    @DisplayName("a server broadcast reaches every session on every node once")
    void broadcastReachesEverySessionOnce() {
        GeoWsNode us1 = startNode("us-east", unique("us1"));
        GeoWsNode eu1 = startNode("eu-west", unique("eu1"));
        TestClient alice = client(us1, "alice");
        TestClient carol = client(eu1, "carol");
        us1.broadcast("{\"notice\":1}").join();
        us1.broadcast("{\"notice\":2}").join();
        for (TestClient c : List.of(alice, carol)) {
            JsonNode first = c.awaitType("broadcast");
            JsonNode second = c.awaitType("broadcast");
            assertThat(first.path("data").path("notice").asInt()).isEqualTo(1);
            assertThat(second.path("data").path("notice").asInt()).isEqualTo(2);
            assertThat(c.drain(f -> "broadcast".equals(TestClient.type(f)), Duration.ofMillis(300)))
                    .as("no echo of the origin node's own broadcast").isEmpty();
        }
    }

    // ------------------------------------------------------------------ resume and deduplication

    @Test
    @DisplayName("a client that reconnects to the other region gets exactly the messages it missed, in order, then live ones")
    void resumeOnOtherRegionReplaysExactlyTheMissedMessages() {
        GeoWsNode us1 = startNode("us-east", unique("us1"));
        GeoWsNode eu1 = startNode("eu-west", unique("eu1"));
        String room = unique("room");
        TestClient alice = client(us1, "alice");
        alice.join(room);
        TestClient carol = TestClient.connectAs(eu1.uri(), "carol");
        carol.join(room);
        alice.publish(room, "before", "before");
        JsonNode last = carol.awaitMessage(room);
        assertThat(last.path("id").asText()).isEqualTo("before");
        carol.close();

        List<String> missed = IntStream.range(0, 10).mapToObj(i -> "missed" + i).toList();
        missed.forEach(id -> assertThat(alice.publish(room, id, id).path("type").asText()).isEqualTo("ack"));

        TestClient back = TestClient.connect(us1.uri());
        closeLater(back);
        back.send(Map.of("type", "hello", "token", "carol", "protocol", 1, "id", "h",
                "resume", Map.of(room, Map.of("offset", last.path("offset").asLong(), "epoch", last.path("epoch").asText()))));
        JsonNode welcome = back.awaitType("welcome");
        assertThat(welcome.path("recovered").path(room).asBoolean()).isTrue();
        assertThat(welcome.path("region").asText()).isEqualTo("us-east");
        alice.publish(room, "live", "live");
        alice.publish(room, "end", "end");
        assertThat(idsUntil(back, room, "end")).containsExactlyElementsOf(
                concat(missed, List.of("live")));
        // nothing before the welcome
        assertThat(TestClient.type(back.seen().get(0))).isEqualTo("welcome");
    }

    @Test
    @DisplayName("join with since replays from history; a position from a lost history is reported as not recovered")
    void joinSinceReplaysAndEpochChangeIsReported() throws Exception {
        GeoWsNode us1 = startNode("us-east", unique("us1"));
        String room = unique("room");
        TestClient alice = client(us1, "alice");
        alice.join(room);
        JsonNode first = alice.publish(room, "a", 1);
        alice.publish(room, "b", 2);
        alice.publish(room, "c", 3);

        TestClient bob = client(us1, "bob");
        bob.send(Map.of("type", "join", "room", room, "id", "j",
                "since", Map.of("offset", first.path("offset").asLong(), "epoch", first.path("epoch").asText())));
        JsonNode joined = bob.awaitRef("j");
        assertThat(joined.path("recovered").asBoolean()).isTrue();
        assertThat(List.of(bob.awaitMessage(room).path("id").asText(), bob.awaitMessage(room).path("id").asText()))
                .containsExactly("b", "c");

        // The room leaves the node (its members leave), so the node asks history about it again: a node
        // that still has the room live answers a resume from what it delivered itself.
        alice.close();
        bob.close();
        Await.until("the room to leave the node", Duration.ofSeconds(10), () -> us1.stats().rooms() == 0);
        loseHistory();
        awaitReady(us1);
        TestClient carol = client(us1, "carol");
        carol.send(Map.of("type", "join", "room", room, "id", "j2",
                "since", Map.of("offset", first.path("offset").asLong(), "epoch", first.path("epoch").asText())));
        JsonNode joined2 = carol.awaitRef("j2");
        assertThat(joined2.path("type").asText()).isEqualTo("joined");
        assertThat(joined2.path("recovered").asBoolean()).isFalse();
        assertThat(joined2.path("epoch").asText()).isNotEqualTo(first.path("epoch").asText());
    }

    @Test
    @DisplayName("a repeated publish id is acknowledged again, also through another region, but delivered once")
    void repeatedPublishIdIsAcknowledgedButDeliveredOnce() {
        GeoWsNode us1 = startNode("us-east", unique("us1"));
        GeoWsNode eu1 = startNode("eu-west", unique("eu1"));
        String room = unique("room");
        TestClient alice = TestClient.connectAs(us1.uri(), "alice");
        alice.join(room);
        TestClient bob = client(eu1, "bob");
        bob.join(room);
        JsonNode ack1 = alice.publish(room, "once", "x");
        alice.close();
        // The "lost ack, retry after failover" case: same user, same id, other region.
        TestClient aliceAgain = client(eu1, "alice");
        aliceAgain.join(room);
        JsonNode ack2 = aliceAgain.publish(room, "once", "x");
        assertThat(ack2.path("type").asText()).isEqualTo("ack");
        assertThat(ack2.path("duplicate").asBoolean()).isTrue();
        assertThat(ack2.path("offset").asLong()).isEqualTo(ack1.path("offset").asLong());
        assertThat(ack1.path("duplicate").asBoolean()).isFalse();
        // Another user may use the same id: ids are per sender.
        assertThat(bob.publish(room, "once", "y").path("duplicate").asBoolean()).isFalse();
        aliceAgain.publish(room, "end", "end");
        List<String> ids = idsUntil(bob, room, "end");
        assertThat(ids).containsExactly("once", "once");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
