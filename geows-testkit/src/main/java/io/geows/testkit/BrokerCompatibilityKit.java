package io.geows.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.InterRegionKeys;
import io.geows.Retention;
import io.geows.Topics;
import io.geows.spi.Appended;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerMessage;
import io.geows.spi.HistorySlice;
import io.geows.spi.NodeInfo;
import io.geows.spi.PresenceMember;
import io.geows.spi.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every broker must show, as an abstract JUnit 5 suite. A broker module extends it in
 * a few lines: how to connect a node to the broker, and how to break and heal it.
 *
 * <pre>{@code
 * class RedisBrokerCompatibilityIntegrationTests extends BrokerCompatibilityKit {
 *     static RedisServer redis = RedisServer.launch();
 *     protected BrokerAdapter connect(String nodeId) { return RedisBroker.connect(redis.uri()); }
 *     ...
 * }
 * }</pre>
 *
 * <p>Each test starts its own nodes (two in {@code us-east}, one in {@code eu-west}, all on the same
 * broker) and real WebSocket clients, and closes them afterwards.
 *
 * @since 0.1.0
 */
public abstract class BrokerCompatibilityKit extends ServerOperationsKit {
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

    // ------------------------------------------------------------------ broker faults

    @Test
    @DisplayName("while the broker is down publishes are rejected, never silently dropped; after recovery all arrive once")
    void brokerOutageRejectsPublishesThenRecovers() throws Exception {
        GeoWsNode us1 = startNode("us-east", unique("us1"));
        GeoWsNode eu1 = startNode("eu-west", unique("eu1"));
        String room = unique("room");
        TestClient alice = client(us1, "alice");
        TestClient carol = client(eu1, "carol");
        alice.join(room);
        carol.join(room);

        failBroker();
        Await.until("nodes notice the outage", WAIT, () -> !us1.isReady() && !eu1.isReady());
        List<String> ids = IntStream.range(0, 5).mapToObj(i -> "o" + i).toList();
        Set<String> accepted = new LinkedHashSet<>();
        for (String id : ids) {
            JsonNode answer = alice.publish(room, id, id);
            if ("ack".equals(TestClient.type(answer))) {
                accepted.add(id);
            } else {
                assertThat(answer.path("code").asText()).as("answer %s", answer).isEqualTo("unavailable");
            }
        }
        assertThat(us1.stats().publishRejected()).isEqualTo(ids.size() - accepted.size());
        recoverBroker();
        awaitReady(us1, eu1);
        // The client's duty after 'unavailable': send again, same id.
        for (String id : ids) {
            if (!accepted.contains(id)) {
                Await.until("publish " + id + " accepted after recovery", WAIT,
                        () -> "ack".equals(TestClient.type(alice.publish(room, id, id))));
            }
        }
        alice.publish(room, "end", "end");
        assertThat(idsUntil(carol, room, "end")).containsExactlyElementsOf(ids);
    }

    @Test
    @DisplayName("a node cut off from the broker delivers what others published meanwhile once it is back, in order")
    void isolatedNodeRecoversMissedMessagesFromHistory() throws Exception {
        String euId = unique("eu1");
        GeoWsNode us1 = startNode("us-east", unique("us1"));
        GeoWsNode eu1 = startNode("eu-west", euId);
        String room = unique("room");
        TestClient alice = client(us1, "alice");
        TestClient carol = client(eu1, "carol");
        alice.join(room);
        carol.join(room);
        alice.publish(room, "first", 0);
        assertThat(carol.awaitMessage(room).path("id").asText()).isEqualTo("first");

        isolate(euId);
        Await.until("eu node notices it is cut off", WAIT, () -> !eu1.isReady());
        List<String> during = IntStream.range(0, 8).mapToObj(i -> "cut" + i).toList();
        during.forEach(id -> assertThat(alice.publish(room, id, id).path("type").asText()).isEqualTo("ack"));
        heal(euId);
        awaitReady(eu1);
        alice.publish(room, "end", "end");
        assertThat(idsUntil(carol, room, "end")).containsExactlyElementsOf(during);
        assertThat(eu1.stats().brokerReconnects()).isPositive();
    }

    @Test
    @DisplayName("presence is right after a node's outage: a user who left meanwhile is gone, those who stayed are listed")
    void presenceIsRepairedAfterAnOutage() throws Exception {
        String euId = unique("eu1");
        GeoWsNode us1 = startNode("us-east", unique("us1"));
        GeoWsNode eu1 = startNode("eu-west", euId);
        String room = unique("room");
        TestClient alice = client(us1, "alice");
        TestClient carol = TestClient.connectAs(eu1.uri(), "carol");
        TestClient dave = client(eu1, "dave");
        alice.join(room);
        carol.join(room);
        dave.join(room);
        Await.until("everyone listed", WAIT, () -> presenceOf(alice, room).equals(Set.of("alice", "carol", "dave")));

        isolate(euId);
        Await.until("eu node notices it is cut off", WAIT, () -> !eu1.isReady());
        carol.close(); // her removal cannot reach the broker now
        heal(euId);
        awaitReady(eu1);
        Await.until(() -> "presence repaired, now " + presenceOf(alice, room), WAIT,
                () -> presenceOf(alice, room).equals(Set.of("alice", "dave")));
    }

    private static Set<String> presenceOf(TestClient c, String room) {
        String id = "q" + UUID.randomUUID();
        c.send(Map.of("type", "presence", "room", room, "id", id));
        Set<String> users = new HashSet<>();
        c.awaitRef(id).path("members").forEach(m -> users.add(m.path("user").asText()));
        return users;
    }

    @Test
    @DisplayName("malformed messages on geows topics are dropped and counted; the node keeps serving")
    void malformedBrokerMessagesAreDroppedAndCounted() {
        GeoWsNode us1 = startNode("us-east", unique("us1"));
        String room = unique("room");
        TestClient alice = client(us1, "alice");
        alice.join(room);
        try (BrokerAdapter intruder = connect(unique("intruder"))) {
            Topics topics = Topics.defaults();
            for (String garbage : List.of("not json", "[]", "{\"k\":\"room\"}", "{\"k\":\"presence\",\"room\":1}")) {
                byte[] bytes = garbage.getBytes(StandardCharsets.UTF_8);
                intruder.publish(topics.room(room), bytes).join();
                intruder.publish(topics.node(us1.nodeId()), bytes).join();
                intruder.publish(topics.all(), bytes).join();
            }
            // unsigned, so the signature check drops them before they are even parsed
            Await.until(() -> "forged count, now " + us1.stats().brokerMessagesForged(), WAIT,
                    () -> us1.stats().brokerMessagesForged() >= 12);
        }
        assertThat(alice.publish(room, "still-works", 1).path("type").asText()).isEqualTo("ack");
        assertThat(alice.awaitMessage(room).path("id").asText()).isEqualTo("still-works");
    }

    @Test
    @DisplayName("a message injected on the broker without the inter-region key (forged sender, valid JSON) reaches no one and is counted")
    void injectedMessagesWithoutTheKeyAreDropped() {
        GeoWsNode us1 = startNode("us-east", unique("us1"));
        GeoWsNode eu1 = startNode("eu-west", unique("eu1"));
        awaitReady(us1, eu1);
        String room = unique("room");
        TestClient alice = client(us1, "alice");
        TestClient bob = client(eu1, "bob");
        alice.join(room);
        bob.join(room);
        try (BrokerAdapter intruder = connect(unique("intruder"))) {
            Topics topics = Topics.defaults();
            String envelope = "{\"k\":\"room\",\"id\":\"evil\",\"room\":\"" + room + "\",\"from\":\"alice\","
                    + "\"region\":\"us-east\",\"node\":\"" + us1.nodeId() + "\",\"ts\":1,\"data\":\"click this\"}";
            byte[] forged = envelope.getBytes(StandardCharsets.UTF_8);
            // through history, as a node would publish it (it gets an offset), and straight on the topics
            intruder.history().append(room, "alice\nevil", topics.room(room), forged).join();
            intruder.publish(topics.node(eu1.nodeId()), envelope.replace("\"k\":\"room\"", "\"k\":\"direct\"")
                    .replace("\"room\":\"" + room + "\"", "\"to\":\"bob\"").getBytes(StandardCharsets.UTF_8)).join();
            intruder.publish(topics.all(), envelope.replace("\"k\":\"room\"", "\"k\":\"broadcast\"")
                    .getBytes(StandardCharsets.UTF_8)).join();
        }
        Await.until(() -> "forged counts us=" + us1.stats().brokerMessagesForged() + " eu=" + eu1.stats().brokerMessagesForged(),
                WAIT, () -> us1.stats().brokerMessagesForged() >= 2 && eu1.stats().brokerMessagesForged() >= 3);
        // what comes after is delivered, and nothing of the intruder's came before it
        assertThat(alice.publish(room, "genuine", 1).path("type").asText()).isEqualTo("ack");
        assertThat(bob.awaitMessage(room).path("id").asText()).isEqualTo("genuine");
        assertThat(alice.awaitMessage(room).path("id").asText()).isEqualTo("genuine");
        for (TestClient c : List.of(alice, bob)) {
            assertThat(c.seen()).noneMatch(f -> "evil".equals(f.path("id").asText()));
            assertThat(c.seen()).noneMatch(f -> "direct".equals(TestClient.type(f)) || "broadcast".equals(TestClient.type(f)));
        }
    }

    @Test
    @DisplayName("a captured signed message sent again (next offset, far ahead, appended under another key) is "
            + "delivered to no one, counted, and the room goes on without a gap")
    void replayedSignedMessagesAreNeitherDeliveredTwiceNorStopTheRoom() throws Exception {
        GeoWsNode us1 = startNode("us-east", unique("us1"));
        GeoWsNode eu1 = startNode("eu-west", unique("eu1"));
        awaitReady(us1, eu1);
        String room = unique("room");
        String topic = Topics.defaults().room(room);
        TestClient alice = client(us1, "alice");
        TestClient bob = client(eu1, "bob");
        alice.join(room);
        bob.join(room);
        try (BrokerAdapter intruder = connect(unique("intruder"))) {
            LinkedBlockingQueue<BrokerMessage> captured = new LinkedBlockingQueue<>();
            intruder.subscribe(topic, captured::add).get(10, TimeUnit.SECONDS);
            JsonNode first = alice.publish(room, "m1", "first");
            long o1 = first.path("offset").asLong();
            String epoch = first.path("epoch").asText();
            assertThat(bob.awaitMessage(room).path("id").asText()).isEqualTo("m1");
            assertThat(alice.awaitMessage(room).path("id").asText()).isEqualTo("m1");
            // the room's topic also carries events without history (presence), which may come first
            BrokerMessage m1 = null;
            while (m1 == null) {
                BrokerMessage c = captured.poll(10, TimeUnit.SECONDS);
                assertThat(c).as("the intruder's copy of m1").isNotNull();
                m1 = c.hasOffset() ? c : null;
            }
            assertThat(m1.offset()).isEqualTo(o1);

            publishAsHistory(room, m1.payload(), o1 + 1, epoch, o1);    // where the next message goes
            publishAsHistory(room, m1.payload(), o1 + 1000, epoch, o1); // far ahead
            Await.until(() -> "replays counted us=" + us1.stats().brokerMessagesReplayed() + " eu="
                    + eu1.stats().brokerMessagesReplayed(), WAIT, () -> us1.stats().brokerMessagesReplayed() >= 2
                    && eu1.stats().brokerMessagesReplayed() >= 2);
            // in history too, through the append path, under a key of its own
            Appended copy = intruder.history().append(room, "mallory\ncopy", topic, m1.payload()).get(10, TimeUnit.SECONDS);
            assertThat(copy.offset()).isGreaterThan(o1);
            Await.until(() -> "replays counted us=" + us1.stats().brokerMessagesReplayed() + " eu="
                    + eu1.stats().brokerMessagesReplayed(), WAIT, () -> us1.stats().brokerMessagesReplayed() >= 3
                    && eu1.stats().brokerMessagesReplayed() >= 3);

            // publishes keep being accepted and delivered live, in order, without a gap
            JsonNode second = alice.publish(room, "m2", "second");
            JsonNode third = bob.publish(room, "m3", "third");
            assertThat(second.path("type").asText()).isEqualTo("ack");
            assertThat(third.path("type").asText()).isEqualTo("ack");
            for (TestClient c : List.of(alice, bob)) {
                assertThat(idsUntil(c, room, "m3")).as("live messages of %s after m1", c).containsExactly("m2");
                List<JsonNode> messages = c.seen().stream().filter(f -> "message".equals(TestClient.type(f))).toList();
                assertThat(messages).extracting(f -> f.path("id").asText()).containsExactly("m1", "m2", "m3");
                assertThat(messages).extracting(f -> f.path("offset").asLong()).containsExactly(o1,
                        second.path("offset").asLong(), third.path("offset").asLong());
            }
            // a client joining after m1 gets exactly what it missed: no second m1
            TestClient carol = client(eu1, "carol");
            carol.send(Map.of("type", "join", "room", room, "id", "j",
                    "since", Map.of("offset", o1, "epoch", epoch)));
            assertThat(carol.awaitRef("j").path("type").asText()).isEqualTo("joined");
            assertThat(idsUntil(carol, room, "m3")).containsExactly("m2");
            assertThat(us1.stats().brokerMessagesForged()).isZero();
        }
    }

    // ------------------------------------------------------------------ the SPI itself

    @Test
    @DisplayName("history: offsets increase per room, reads return what came after, a repeated key is not appended twice")
    void historyAppendsReadsAndDeduplicates() throws Exception {
        try (BrokerAdapter broker = connect(unique("spi"))) {
            String room = unique("h");
            String topic = Topics.defaults().room(room);
            LinkedBlockingQueue<BrokerMessage> live = new LinkedBlockingQueue<>();
            Subscription sub = broker.subscribe(topic, live::add).get(10, TimeUnit.SECONDS);
            List<Appended> appended = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                appended.add(broker.history().append(room, "k" + i, topic, ("p" + i).getBytes(StandardCharsets.UTF_8))
                        .get(10, TimeUnit.SECONDS));
            }
            for (int i = 1; i < appended.size(); i++) {
                assertThat(appended.get(i).offset()).isGreaterThan(appended.get(i - 1).offset());
                assertThat(appended.get(i).epoch()).isEqualTo(appended.get(0).epoch());
            }
            Appended again = broker.history().append(room, "k2", topic, "other".getBytes(StandardCharsets.UTF_8))
                    .get(10, TimeUnit.SECONDS);
            assertThat(again.duplicate()).isTrue();
            assertThat(again.offset()).isEqualTo(appended.get(2).offset());

            HistorySlice slice = broker.history().readAfter(room, appended.get(1).offset(), 100).get(10, TimeUnit.SECONDS);
            assertThat(slice.complete()).isTrue();
            assertThat(slice.epoch()).isEqualTo(appended.get(0).epoch());
            assertThat(slice.messages()).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8))
                    .containsExactly("p2", "p3", "p4");
            assertThat(slice.messages()).extracting(BrokerMessage::offset)
                    .containsExactly(appended.get(2).offset(), appended.get(3).offset(), appended.get(4).offset());
            assertThat(broker.history().position(room).get(10, TimeUnit.SECONDS).offset())
                    .isEqualTo(appended.get(4).offset());

            for (int i = 0; i < 5; i++) {
                BrokerMessage m = live.poll(10, TimeUnit.SECONDS);
                assertThat(m).as("live message %d", i).isNotNull();
                assertThat(m.offset()).isEqualTo(appended.get(i).offset());
                assertThat(m.epoch()).isEqualTo(appended.get(i).epoch());
            }
            sub.close();
        }
    }

    @Test
    @DisplayName("retention: a room keeps at most its number of messages and none older than its age; reads from before say so")
    void retentionBoundsARoomsHistory() throws Exception {
        try (BrokerAdapter broker = connect(unique("ret"))) {
            String prefix = unique("kept");
            broker.history().retention(Retention.builder().keepMessages(prefix + "-n*", 3)
                    .keepFor(prefix + "-t*", Duration.ofSeconds(2)).build());
            String counted = prefix + "-n1";
            String timed = prefix + "-t1";
            String free = unique("free");
            List<Appended> kept = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                kept.add(append(broker, counted, "k" + i, "p" + i));
                append(broker, free, "k" + i, "p" + i);
            }
            HistorySlice all = broker.history().readAfter(counted, 0, 100).get(10, TimeUnit.SECONDS);
            assertThat(all.messages()).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8))
                    .as("a room with a count rule keeps its last 3").containsExactly("p2", "p3", "p4");
            assertThat(all.complete()).as("a read from before what is kept is incomplete").isFalse();
            HistorySlice tail = broker.history().readAfter(counted, kept.get(3).offset(), 100).get(10, TimeUnit.SECONDS);
            assertThat(tail.complete()).as("a read from a message still kept is complete").isTrue();
            assertThat(tail.messages()).extracting(BrokerMessage::offset).containsExactly(kept.get(4).offset());
            HistorySlice other = broker.history().readAfter(free, 0, 100).get(10, TimeUnit.SECONDS);
            assertThat(other.messages()).as("a room no rule matches keeps everything").hasSize(5);
            assertThat(other.complete()).isTrue();

            append(broker, timed, "old-1", "old");
            append(broker, timed, "old-2", "old");
            Await.until("the timed room's messages age out", Duration.ofSeconds(15),
                    () -> broker.history().readAfter(timed, 0, 100).join().messages().isEmpty());
            Appended fresh = append(broker, timed, "new-1", "new");
            HistorySlice after = broker.history().readAfter(timed, 0, 100).get(10, TimeUnit.SECONDS);
            assertThat(after.messages()).extracting(BrokerMessage::offset).containsExactly(fresh.offset());
            assertThat(after.complete()).as("the aged-out messages are missing from a read from the start").isFalse();
        }
    }

    /**
     * Whether the adapter removes messages from history ({@code History.eraseSender}); one that
     * cannot must refuse with {@link UnsupportedOperationException}, which the kit then checks.
     */
    protected boolean erasesMessages() {
        return true;
    }

    @Test
    @DisplayName("erasure: a sender's messages leave every room's history; the others keep their offsets; a repeat is a duplicate")
    void eraseSenderRemovesOnlyThatSendersMessages() throws Exception {
        try (BrokerAdapter broker = connect(unique("erase"))) {
            String gone = unique("gone");
            String a = unique("room-a");
            String b = unique("room-b");
            List<Appended> kept = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                append(broker, a, gone + "\nx" + i, "gone-a" + i);
                kept.add(append(broker, a, "other\nx" + i, "kept-a" + i));
                append(broker, b, gone + "\ny" + i, "gone-b" + i);
            }
            append(broker, b, gone + "-not-the-same\ny", "kept-b");
            if (!erasesMessages()) {
                assertThat(broker.history().eraseSender(gone)).failsWithin(Duration.ofSeconds(10))
                        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                        .withCauseInstanceOf(UnsupportedOperationException.class);
                return;
            }
            assertThat(broker.history().eraseSender(gone).get(10, TimeUnit.SECONDS)).isEqualTo(6L);
            HistorySlice roomA = broker.history().readAfter(a, 0, 100).get(10, TimeUnit.SECONDS);
            assertThat(roomA.messages()).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8))
                    .containsExactly("kept-a0", "kept-a1", "kept-a2");
            assertThat(roomA.messages()).extracting(BrokerMessage::offset)
                    .containsExactlyElementsOf(kept.stream().map(Appended::offset).toList());
            assertThat(broker.history().readAfter(b, 0, 100).get(10, TimeUnit.SECONDS).messages())
                    .extracting(m -> new String(m.payload(), StandardCharsets.UTF_8)).containsExactly("kept-b");
            assertThat(broker.history().eraseSender(gone).get(10, TimeUnit.SECONDS)).as("nothing left to erase").isZero();
            Appended again = append(broker, a, gone + "\nx1", "gone-a1");
            assertThat(again.duplicate()).as("an erased message sent again is not stored again").isTrue();
            assertThat(broker.history().readAfter(a, 0, 100).get(10, TimeUnit.SECONDS).messages()).hasSize(3);
        }
    }

    private static Appended append(BrokerAdapter broker, String room, String key, String payload) throws Exception {
        return broker.history().append(room, key, Topics.defaults().room(room), payload.getBytes(StandardCharsets.UTF_8))
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("retention: a client resuming from before what a room keeps is told recovered: false")
    void resumeBeyondRetentionIsNotRecovered() {
        String room = unique("kept-room");
        GeoWsNode node = closeLater(nodeBuilder("us-east", unique("ret-node"))
                .retention(Retention.builder().keepMessages(room, 2).build()).build().start());
        TestClient alice = client(node, "alice");
        JsonNode joined = alice.join(room);
        for (int i = 0; i < 5; i++) {
            alice.publishAndAwait(room, "m" + i, WAIT);
        }
        TestClient back = closeLater(TestClient.connect(node.uri()));
        back.send(Map.of("type", "hello", "token", "bob", "protocol", 1, "id", "h", "resume",
                Map.of(room, Map.of("offset", joined.path("offset").asLong(), "epoch", joined.path("epoch").asText()))));
        JsonNode welcome = back.awaitType("welcome");
        assertThat(welcome.path("recovered").path(room).asBoolean(true)).isFalse();
        assertThat(back.drain(f -> "message".equals(TestClient.type(f)), Duration.ofMillis(500)))
                .extracting(f -> f.path("id").asText()).containsExactly("m3", "m4");
    }

    @Test
    @DisplayName("presence: the users of a node that stops heartbeating disappear within one time-to-live")
    void presenceEntriesOfADeadNodeExpire() throws Exception {
        try (BrokerAdapter broker = connect(unique("spi"))) {
            String room = unique("p");
            String ghost = unique("ghost-node");
            String alive = unique("alive-node");
            Duration ttl = Duration.ofMillis(800);
            broker.presence().heartbeat(new NodeInfo(ghost, "us-east", null, 1, System.currentTimeMillis()), ttl).get(10, TimeUnit.SECONDS);
            broker.presence().heartbeat(new NodeInfo(alive, "eu-west", "ws://127.0.0.1:1/", 1, System.currentTimeMillis()), Duration.ofMinutes(1)).get(10, TimeUnit.SECONDS);
            PresenceMember g = new PresenceMember("gina", "us-east", ghost);
            PresenceMember a = new PresenceMember("al", "eu-west", alive);
            broker.presence().userOnline(g).get(10, TimeUnit.SECONDS);
            broker.presence().join(room, g).get(10, TimeUnit.SECONDS);
            broker.presence().userOnline(a).get(10, TimeUnit.SECONDS);
            broker.presence().join(room, a).get(10, TimeUnit.SECONDS);
            assertThat(broker.presence().members(room).get(10, TimeUnit.SECONDS)).containsExactlyInAnyOrder(g, a);
            assertThat(broker.presence().locate("gina").get(10, TimeUnit.SECONDS)).containsExactly(g);

            // the ghost node never heartbeats again
            Await.until("ghost's entries expire", ttl.multipliedBy(10), () ->
                    broker.presence().members(room).join().equals(List.of(a))
                            && broker.presence().locate("gina").join().isEmpty());
            assertThat(broker.presence().nodes().get(10, TimeUnit.SECONDS)).extracting(NodeInfo::nodeId)
                    .contains(alive).doesNotContain(ghost);
            broker.presence().removeNode(alive).get(10, TimeUnit.SECONDS);
            assertThat(broker.presence().members(room).get(10, TimeUnit.SECONDS)).isEmpty();
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
