package io.geows.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.GeoWsNode;
import io.geows.InterRegionKeys;
import io.geows.Topics;
import io.geows.testkit.Await;
import io.geows.testkit.RedisServer;
import io.geows.testkit.TestClient;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * An attacker with a plain Redis client and no inter-region key, between two regions that sign
 * their broker messages: each test is one way of sending a correctly signed message again, or of
 * writing the room's history behind the nodes' back. Each ends the same way: nobody received a
 * message twice or missed one, live delivery goes on, the nodes counted what they dropped, and
 * publishes are still accepted.
 */
class RedisReplayIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final InterRegionKeys KEYS = InterRegionKeys.signingWith("prod-1",
            "a-shared-secret-of-32-bytes-min!".getBytes(StandardCharsets.UTF_8));
    private static RedisServer redis;

    private GeoWsNode us;
    private GeoWsNode eu;
    private TestClient alice;
    private TestClient bob;
    private RedisClient raw;
    private RedisCommands<byte[], byte[]> cli;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private String room;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.launch();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @BeforeEach
    void twoRegions() {
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        us = node("us-east", "us-" + suffix);
        eu = node("eu-west", "eu-" + suffix);
        Await.until("nodes ready", WAIT, () -> us.isReady() && eu.isReady());
        room = "room-" + suffix;
        alice = client(us, "alice");
        bob = client(eu, "bob");
        alice.join(room);
        bob.join(room);
        raw = RedisClient.create(redis.uri());
        StatefulRedisConnection<byte[], byte[]> c = raw.connect(ByteArrayCodec.INSTANCE);
        closeables.add(c);
        cli = c.sync();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        closeables.clear();
        us.close();
        eu.close();
        raw.shutdown();
    }

    private GeoWsNode node(String region, String id) {
        return TestNodes.nodeBuilder(region, id).broker(TestNodes.broker(redis.uri(), id).build())
                .interRegionKeys(KEYS).build().start();
    }

    private TestClient client(GeoWsNode node, String user) {
        TestClient c = TestClient.connectAs(node.uri(), user);
        closeables.add(c);
        return c;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private String key(String suffix) {
        return "{" + Topics.defaults().room(room) + "}:" + suffix;
    }

    /** The signed payload of the entry at {@code offset}, as an attacker reads it from the room's stream. */
    private byte[] storedPayload(long offset) {
        List<StreamMessage<byte[], byte[]>> entries = cli.xrange(b(key("h")),
                Range.create(offset + "-0", offset + "-0"));
        assertThat(entries).hasSize(1);
        return entries.get(0).getBody().entrySet().stream()
                .filter(e -> new String(e.getKey(), StandardCharsets.UTF_8).equals("p"))
                .findFirst().orElseThrow().getValue();
    }

    private void publishFramed(long offset, String epoch, byte[] payload) {
        byte[] header = b("G1 " + offset + " " + epoch + "\n");
        byte[] framed = new byte[header.length + payload.length];
        System.arraycopy(header, 0, framed, 0, header.length);
        System.arraycopy(payload, 0, framed, header.length, payload.length);
        cli.publish(b(Topics.defaults().room(room)), framed);
    }

    private void xadd(String id, byte[] payload, String messageKey) {
        cli.xadd(b(key("h")), new XAddArgs().id(id), Map.of(b("p"), payload, b("k"), b(messageKey)));
    }

    private void awaitReplayed(long atLeast) {
        Await.until(() -> "replayed: us=" + us.stats().brokerMessagesReplayed() + " eu=" + eu.stats().brokerMessagesReplayed(),
                WAIT, () -> us.stats().brokerMessagesReplayed() >= atLeast && eu.stats().brokerMessagesReplayed() >= atLeast);
    }

    /** Every message frame a client got in the room: ids and offsets, in order. */
    private List<String> received(TestClient c) {
        return c.idsAndOffsets(room);
    }

    private JsonNode publishAndSee(TestClient from, String id) {
        return from.publishAndAwait(room, id, WAIT, alice, bob);
    }

    @Test
    @DisplayName("PUBLISH of message 1's signed body as the next offset: delivered to no one; the real next message arrives live")
    void replayAtTheNextOffset() {
        JsonNode m1 = publishAndSee(alice, "m1");
        long o1 = m1.path("offset").asLong();
        String epoch = m1.path("epoch").asText();
        publishFramed(o1 + 1, epoch, storedPayload(o1));
        awaitReplayed(1);
        JsonNode m2 = publishAndSee(bob, "m2");
        assertThat(m2.path("offset").asLong()).isEqualTo(o1 + 1);
        for (TestClient c : List.of(alice, bob)) {
            assertThat(received(c)).containsExactly("m1@" + o1, "m2@" + (o1 + 1));
        }
        assertThat(publishAndSee(alice, "m3").path("offset").asLong()).isEqualTo(o1 + 2);
    }

    @Test
    @DisplayName("PUBLISH far ahead (offset +20): no live offset below it is lost, also for rooms a node starts and for later sessions")
    void replayFarAhead() {
        JsonNode m1 = publishAndSee(alice, "m1");
        long o1 = m1.path("offset").asLong();
        String epoch = m1.path("epoch").asText();
        publishFramed(o1 + 20, epoch, storedPayload(o1));
        awaitReplayed(1);
        List<String> expected = new ArrayList<>(List.of("m1@" + o1));
        for (int i = 2; i <= 4; i++) {
            JsonNode ack = publishAndSee(i % 2 == 0 ? bob : alice, "m" + i);
            expected.add("m" + i + "@" + ack.path("offset").asLong());
        }
        for (TestClient c : List.of(alice, bob)) {
            assertThat(received(c)).containsExactlyElementsOf(expected);
        }
        TestClient carol = client(eu, "carol");
        carol.join(room);
        JsonNode m5 = publishAndSee(alice, "m5");
        assertThat(carol.awaitMessage(room).path("id").asText()).isEqualTo("m5");
        assertThat(m5.path("offset").asLong()).isLessThan(o1 + 20);

        // a room no node has delivered anything in yet: the forgery comes first
        String fresh = room + "-fresh";
        TestClient dave = client(eu, "dave");
        dave.join(fresh);
        alice.join(fresh);
        publishFramed(20, epoch, storedPayload(o1));
        assertThat(alice.publish(fresh, "f1", 1).path("type").asText()).isEqualTo("ack");
        assertThat(dave.awaitMessage(fresh).path("id").asText()).isEqualTo("f1");
    }

    @Test
    @DisplayName("XADD of message 1's signed body at the next stream id: a client joining with since gets no second copy; the next publish is accepted")
    void foreignEntryAtTheNextStreamId() {
        JsonNode m1 = publishAndSee(alice, "m1");
        long o1 = m1.path("offset").asLong();
        String epoch = m1.path("epoch").asText();
        JsonNode m2 = publishAndSee(alice, "m2");
        long o2 = m2.path("offset").asLong();
        xadd((o2 + 1) + "-0", storedPayload(o1), "alice\nm1");

        // carol joins through a node without the room, so her join reads history (where the room is live, a
        // node answers from the messages it delivered itself)
        GeoWsNode eu2 = node("eu-west", "eu2-" + UUID.randomUUID().toString().substring(0, 6));
        closeables.add(eu2);
        Await.until("eu2 ready", WAIT, eu2::isReady);
        TestClient carol = client(eu2, "carol");
        carol.send(Map.of("type", "join", "room", room, "id", "j", "since", Map.of("offset", o1, "epoch", epoch)));
        JsonNode joined = carol.awaitRef("j");
        assertThat(joined.path("type").asText()).isEqualTo("joined");
        assertThat(joined.path("recovered").asBoolean()).isTrue();
        JsonNode m3 = publishAndSee(bob, "m3");
        assertThat(m3.path("offset").asLong()).isEqualTo(o2 + 1);
        assertThat(carol.awaitMessage(room).path("id").asText()).isEqualTo("m2");
        assertThat(carol.awaitMessage(room).path("id").asText()).isEqualTo("m3");
        assertThat(received(carol)).containsExactly("m2@" + o2, "m3@" + (o2 + 1));
        // skipped when carol joined (eu2), removed when m3 was appended (eu): counted both times
        Await.until(() -> "forged: eu=" + eu.stats().brokerMessagesForged() + " eu2=" + eu2.stats().brokerMessagesForged(),
                WAIT, () -> eu.stats().brokerMessagesForged() >= 1 && eu2.stats().brokerMessagesForged() >= 1);
        for (TestClient c : List.of(alice, bob)) {
            assertThat(received(c)).containsExactly("m1@" + o1, "m2@" + o2, "m3@" + (o2 + 1));
        }
    }

    @Test
    @DisplayName("XADD with a time-based id (*) or the largest id: publishes keep being accepted at the next offset")
    void foreignEntryWithAHugeId() {
        JsonNode m1 = publishAndSee(alice, "m1");
        long o1 = m1.path("offset").asLong();
        cli.xadd(b(key("h")), new XAddArgs().id("*"), Map.of(b("p"), b("evil"), b("k"), b("mallory\nx")));
        JsonNode m2 = publishAndSee(bob, "m2");
        assertThat(m2.path("offset").asLong()).isEqualTo(o1 + 1);
        xadd("18446744073709551615-18446744073709551615", b("evil"), "mallory\ny");
        JsonNode m3 = publishAndSee(alice, "m3");
        assertThat(m3.path("offset").asLong()).isEqualTo(o1 + 2);
        assertThat(eu.stats().brokerMessagesForged() + us.stats().brokerMessagesForged()).isGreaterThanOrEqualTo(2);
        for (TestClient c : List.of(alice, bob)) {
            assertThat(received(c)).containsExactly("m1@" + o1, "m2@" + (o1 + 1), "m3@" + (o1 + 2));
        }
        assertThat(cli.xlen(b(key("h")))).isEqualTo(3);
    }

    @Test
    @DisplayName("a room whose stream key was replaced by another type answers unavailable, naming no internal error; it works again once the key is gone")
    void roomKeyOfTheWrongTypeIsUnavailableNotInternal() {
        publishAndSee(alice, "m1");
        cli.del(b(key("h")));
        cli.set(b(key("h")), b("not a stream"));
        JsonNode refused = alice.publish(room, "m2", 2);
        assertThat(refused.path("type").asText()).isEqualTo("error");
        assertThat(refused.path("code").asText()).isEqualTo("unavailable");
        cli.del(b(key("h")));
        assertThat(publishAndSee(alice, "m3").path("type").asText()).isEqualTo("ack");
    }

    @Test
    @DisplayName("SET of the room's epoch key: history is not relabelled and delivered again; the next message arrives")
    void epochKeyOverwritten() {
        JsonNode m1 = publishAndSee(alice, "m1");
        JsonNode m2 = publishAndSee(bob, "m2");
        JsonNode m3 = publishAndSee(alice, "m3");
        cli.set(b(key("epoch")), b("evil"));
        JsonNode m4 = publishAndSee(bob, "m4");
        assertThat(m4.path("epoch").asText()).isEqualTo("evil");
        for (TestClient c : List.of(alice, bob)) {
            assertThat(received(c)).containsExactly("m1@" + m1.path("offset").asLong(), "m2@" + m2.path("offset").asLong(),
                    "m3@" + m3.path("offset").asLong(), "m4@" + m4.path("offset").asLong());
        }
        // the entries of the old epoch were not the new epoch's: skipped and counted when the nodes read
        Await.until(() -> "forged: us=" + us.stats().brokerMessagesForged(), WAIT, () -> us.stats().brokerMessagesForged() >= 3);
    }

    @Test
    @DisplayName("a node whose room started after message 1: the epoch key deleted, then m1 sent again as the next offset of the old epoch: not delivered")
    void epochKeyDeletedThenReplay() {
        JsonNode m1 = publishAndSee(alice, "m1");
        long o1 = m1.path("offset").asLong();
        String epoch = m1.path("epoch").asText();
        long signed = alice.messages(room).get(0).path("ts").asLong();
        // the new node's room must start clearly after m1 was signed (beyond the clocks' margin)
        Await.until("m1 older than the clock margin", WAIT, () -> System.currentTimeMillis() > signed + 2_500);
        try (GeoWsNode eu2 = node("eu-west", "eu2-" + UUID.randomUUID().toString().substring(0, 6));
             TestClient carol = TestClient.connectAs(eu2.uri(), "carol")) {
            Await.until("eu2 ready", WAIT, eu2::isReady);
            carol.join(room);
            cli.del(b(key("epoch")));
            publishFramed(o1 + 1, epoch, storedPayload(o1));
            JsonNode m2 = publishAndSee(bob, "m2");
            carol.awaitMessage(room, "m2", WAIT);
            assertThat(received(carol)).containsExactly("m2@" + m2.path("offset").asLong());
            for (TestClient c : List.of(alice, bob)) {
                assertThat(received(c)).containsExactly("m1@" + o1, "m2@" + m2.path("offset").asLong());
            }
        }
    }

    @Test
    @DisplayName("XADD of message 1 at the next id and HSET of the key index to it: the copy is not delivered again")
    void plantedEntryWithItsIndex() {
        JsonNode m1 = publishAndSee(alice, "m1");
        long o1 = m1.path("offset").asLong();
        String epoch = m1.path("epoch").asText();
        JsonNode m2 = publishAndSee(alice, "m2");
        long o2 = m2.path("offset").asLong();
        cli.xadd(b(key("h")), new XAddArgs().id((o2 + 1) + "-0"),
                Map.of(b("p"), storedPayload(o1), b("k"), b("alice\nm1"), b("e"), b(epoch)));
        cli.hset(b(key("ix")), b("alice\nm1"), b(Long.toString(o2 + 1)));
        JsonNode m3 = publishAndSee(bob, "m3");
        awaitReplayed(1);
        for (TestClient c : List.of(alice, bob)) {
            assertThat(received(c)).containsExactly("m1@" + o1, "m2@" + o2, "m3@" + m3.path("offset").asLong());
        }
    }

    @Test
    @DisplayName("a room counter set to garbage (-5, text, 1e14): publishes keep being accepted above every existing entry")
    void tamperedCounter() {
        JsonNode m1 = publishAndSee(alice, "m1");
        long last = m1.path("offset").asLong();
        List<String> expected = new ArrayList<>(List.of("m1@" + last));
        int i = 2;
        for (String garbage : List.of("-5", "abc", "100000000000000")) {
            cli.set(b(key("seq")), b(garbage));
            JsonNode ack = publishAndSee(i % 2 == 0 ? bob : alice, "m" + i);
            assertThat(ack.path("offset").asLong()).as("after the counter was set to %s", garbage).isGreaterThan(last);
            last = ack.path("offset").asLong();
            expected.add("m" + i + "@" + last);
            i++;
        }
        for (TestClient c : List.of(alice, bob)) {
            assertThat(received(c)).containsExactlyElementsOf(expected);
        }
    }
}
