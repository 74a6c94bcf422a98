package io.geows.nats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.InterRegionKeys;
import io.geows.Topics;
import io.geows.nats.internal.Names;
import io.geows.testkit.Await;
import io.geows.testkit.NatsServer;
import io.geows.testkit.TestClient;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.MessageInfo;
import io.nats.client.impl.Headers;
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
 * An attacker with a plain NATS connection and no inter-region key, between two regions that sign
 * their broker messages: a captured message sent again on the room's live subject with the stream's
 * headers, and history entries added to the stream behind the nodes' back. Each ends with nobody
 * having received a message twice or missed one, live delivery going on, the drops counted, and
 * publishes accepted.
 */
class NatsReplayIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final InterRegionKeys KEYS = InterRegionKeys.signingWith("prod-1",
            "a-shared-secret-of-32-bytes-min!".getBytes(StandardCharsets.UTF_8));
    private static final Names NAMES = new Names(Topics.DEFAULT_PREFIX);
    private static NatsServer nats;

    private GeoWsNode us;
    private GeoWsNode eu;
    private TestClient alice;
    private TestClient bob;
    private Connection raw;
    private String room;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void startServer() {
        nats = NatsServer.builder().jetStream().start();
    }

    @AfterAll
    static void stopServer() {
        nats.close();
    }

    @BeforeEach
    void twoRegions() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        us = node("us-east", "us-" + suffix);
        eu = node("eu-west", "eu-" + suffix);
        Await.until("nodes ready", WAIT, () -> us.isReady() && eu.isReady());
        room = "room-" + suffix;
        alice = client(us, "alice");
        bob = client(eu, "bob");
        alice.join(room);
        bob.join(room);
        raw = Nats.connect(nats.uri());
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        closeables.clear();
        us.close();
        eu.close();
        raw.close();
    }

    private static GeoWsNode node(String region, String id) {
        return GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region(region).nodeId(id)
                .host("127.0.0.1").port(0)
                .broker(TestNodes.options(nats.uri(), id).build())
                .interRegionKeys(KEYS).drainTimeout(Duration.ZERO).build().start();
    }

    private TestClient client(GeoWsNode node, String user) {
        TestClient c = TestClient.connectAs(node.uri(), user);
        closeables.add(c);
        return c;
    }

    /** The signed payload stored at {@code seq}, as an attacker with read access gets it. */
    private byte[] stored(long seq) throws Exception {
        JetStreamManagement jsm = raw.jetStreamManagement();
        MessageInfo info = jsm.getMessage(NatsBroker.DEFAULT_STREAM, seq);
        return info.getData();
    }

    private void publishLive(byte[] payload, long seq, long previous, String epoch) throws Exception {
        String token = Topics.escape(room);
        Headers h = new Headers().add("Nats-Stream", NatsBroker.DEFAULT_STREAM)
                .add("Nats-Subject", NAMES.historySubject(epoch, token))
                .add("Nats-Sequence", Long.toString(seq)).add("Nats-Last-Sequence", Long.toString(previous));
        raw.publish(NAMES.liveSubject(token), h, payload);
        raw.flush(Duration.ofSeconds(5));
    }

    private void appendRaw(byte[] payload, String epoch, String messageKey) throws Exception {
        Headers h = new Headers();
        if (messageKey != null) {
            h.add("Nats-Msg-Id", Names.messageId(room, messageKey));
        }
        raw.jetStream().publish(io.nats.client.impl.NatsMessage.builder()
                .subject(NAMES.historySubject(epoch, Topics.escape(room))).headers(h).data(payload).build());
    }

    private List<String> received(TestClient c) {
        return c.idsAndOffsets(room);
    }

    private JsonNode publishAndSee(TestClient from, String id) {
        return from.publishAndAwait(room, id, WAIT, alice, bob);
    }

    @Test
    @DisplayName("message 1 sent again on the live subject as the next sequence and far ahead: delivered to no one, counted; the room goes on")
    void replayOnTheLiveSubject() throws Exception {
        JsonNode m1 = publishAndSee(alice, "m1");
        long o1 = m1.path("offset").asLong();
        String epoch = m1.path("epoch").asText();
        byte[] body = stored(o1);
        publishLive(body, o1 + 1, o1, epoch);
        publishLive(body, o1 + 1000, o1, epoch);
        Await.until(() -> "replayed: us=" + us.stats().brokerMessagesReplayed() + " eu=" + eu.stats().brokerMessagesReplayed(),
                WAIT, () -> us.stats().brokerMessagesReplayed() >= 2 && eu.stats().brokerMessagesReplayed() >= 2);
        JsonNode m2 = publishAndSee(bob, "m2");
        JsonNode m3 = publishAndSee(alice, "m3");
        for (TestClient c : List.of(alice, bob)) {
            assertThat(received(c)).containsExactly("m1@" + o1, "m2@" + m2.path("offset").asLong(),
                    "m3@" + m3.path("offset").asLong());
        }
    }

    @Test
    @DisplayName("entries added to the history stream by someone else (a signed copy under another id, an unsigned one) "
            + "reach no one, live or on a join with since, and are counted")
    void foreignHistoryEntries() throws Exception {
        JsonNode m1 = publishAndSee(alice, "m1");
        long o1 = m1.path("offset").asLong();
        String epoch = m1.path("epoch").asText();
        byte[] body = stored(o1);
        appendRaw(body, epoch, "mallory\ncopy");        // signed copy, its own message id
        appendRaw(body, epoch, "alice\nm1");            // the same message id: JetStream drops it as a repeat
        appendRaw("{\"k\":\"room\"}".getBytes(StandardCharsets.UTF_8), epoch, null); // unsigned, no id
        Await.until(() -> "dropped: us=" + us.stats().brokerMessagesReplayed() + "/" + us.stats().brokerMessagesForged()
                + " eu=" + eu.stats().brokerMessagesReplayed() + "/" + eu.stats().brokerMessagesForged(), WAIT,
                () -> us.stats().brokerMessagesReplayed() >= 1 && eu.stats().brokerMessagesReplayed() >= 1
                        && us.stats().brokerMessagesForged() >= 1 && eu.stats().brokerMessagesForged() >= 1);
        JsonNode m2 = publishAndSee(bob, "m2");
        long o2 = m2.path("offset").asLong();
        for (TestClient c : List.of(alice, bob)) {
            assertThat(received(c)).containsExactly("m1@" + o1, "m2@" + o2);
        }
        long forgedBefore = eu.stats().brokerMessagesForged() + eu.stats().brokerMessagesReplayed();
        TestClient carol = client(eu, "carol");
        carol.send(Map.of("type", "join", "room", room, "id", "j", "since", Map.of("offset", o1, "epoch", epoch)));
        assertThat(carol.awaitRef("j").path("recovered").asBoolean()).isTrue();
        assertThat(carol.awaitMessage(room).path("id").asText()).isEqualTo("m2");
        JsonNode m3 = publishAndSee(alice, "m3");
        assertThat(carol.awaitMessage(room).path("id").asText()).isEqualTo("m3");
        assertThat(received(carol)).containsExactly("m2@" + o2, "m3@" + m3.path("offset").asLong());
        assertThat(eu.stats().brokerMessagesForged() + eu.stats().brokerMessagesReplayed()).isGreaterThan(forgedBefore);
    }
}
