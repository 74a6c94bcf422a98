package io.geows.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.GeoWsNode;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
public abstract class BrokerCompatibilityKit extends BrokerFaultsKit {
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
}
