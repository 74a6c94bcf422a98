package io.geows.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.GeoWsNode;
import io.geows.Topics;
import io.geows.spi.Appended;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerMessage;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A broker that fails or lies: outages (publishes refused, never dropped; history fills the gap),
 * presence repaired after an outage, and malformed, forged and replayed messages on the broker's
 * topics. Part of the {@link BrokerCompatibilityKit}.
 *
 * @since 0.2.0
 */
public abstract class BrokerFaultsKit extends BrokerMessagingKit {
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
}
