package io.geows.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.Residency;
import io.geows.Topics;
import io.geows.WrongRegionException;
import io.geows.memory.InMemoryBroker;
import io.geows.spi.BrokerAdapter;
import io.geows.testkit.Await;
import io.geows.testkit.TestClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Data residency on the node, with in-process brokers: a global one, and one for the EU zone that
 * only the EU node is connected to. (The same on real Redis and NATS brokers, watched by raw
 * subscribers, is in the adapters' residency tests.)
 */
class ResidencyIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Residency RULES = Residency.builder().regions("eu-west", "us-east")
            .zone("eu", "eu-west").pin("eu:*", "eu").pinUsers("eu.*", "eu").build();

    private final InMemoryBroker global = new InMemoryBroker();
    private final InMemoryBroker euOnly = new InMemoryBroker();

    /** A started node of the EU zone: the global broker and the EU zone's. */
    private GeoWsNode eu(String id) {
        return node("eu-west", id, global).zoneBroker("eu", euOnly.connect(id)).build().start();
    }

    /** A started us-east node: the global broker only. */
    private GeoWsNode us(String id) {
        return node("us-east", id, global).build().start();
    }

    /** Waits until the global directory lists {@code n} nodes. */
    private void awaitDirectory(int n) {
        try (BrokerAdapter directory = global.connect("directory")) {
            Await.until(n + " nodes in the directory", WAIT, () -> directory.presence().nodes().join().size() == n);
        }
    }

    private static GeoWsNode.Builder node(String region, String id, InMemoryBroker global) {
        return GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region(region).nodeId(id)
                .publicUrl("ws://127.0.0.1:1/" + id).broker(global.connect(id)).residency(RULES)
                .presenceTtl(Duration.ofSeconds(2)).drainTimeout(Duration.ZERO);
    }

    @Test
    @DisplayName("a pinned room lives only on its zone's broker; a global room reaches both regions")
    void pinnedRoomStaysOnItsZonesBroker() {
        try (GeoWsNode eu = eu("eu-1");
             GeoWsNode us = us("us-1");
             TestClient anna = TestClient.connectAs(eu.uri(), "anna");
             TestClient ben = TestClient.connectAs(eu.uri(), "ben");
             TestClient carl = TestClient.connectAs(us.uri(), "carl")) {
            anna.join("eu:chat");
            ben.join("eu:chat");
            for (int i = 0; i < 5; i++) {
                anna.publishAndAwait("eu:chat", "m" + i, WAIT, ben);
            }
            assertThat(ben.messages("eu:chat")).hasSize(5);

            BrokerAdapter spy = global.connect("spy");
            Topics topics = Topics.withPrefix(Topics.DEFAULT_PREFIX);
            assertThat(global.subscriberCount(topics.room("eu:chat"))).as("subscribers of the EU room on the global broker")
                    .isZero();
            assertThat(spy.history().readAfter("eu:chat", 0, 100).join().messages()).as("EU room history on the global broker")
                    .isEmpty();
            assertThat(spy.presence().members("eu:chat").join()).as("EU room presence on the global broker").isEmpty();
            BrokerAdapter euSpy = euOnly.connect("eu-spy");
            assertThat(euSpy.history().readAfter("eu:chat", 0, 100).join().messages()).hasSize(5);
            assertThat(euSpy.presence().members("eu:chat").join()).extracting(m -> m.user())
                    .containsExactlyInAnyOrder("anna", "ben");

            // A global room still spans the regions, through the global broker.
            anna.join("lobby");
            carl.join("lobby");
            anna.publishAndAwait("lobby", "l1", WAIT, carl);
            assertThat(spy.history().readAfter("lobby", 0, 10).join().messages()).hasSize(1);
            spy.close();
            euSpy.close();
        }
    }

    @Test
    @DisplayName("join, publish, presence and resume of a pinned room in the wrong region answer wrong_region naming where to go")
    void wrongRegionIsRefusedWithWhereToGo() throws Exception {
        try (GeoWsNode eu = eu("eu-1");
             GeoWsNode us = us("us-1");
             TestClient carl = TestClient.connectAs(us.uri(), "carl")) {
            awaitDirectory(2);
            carl.send(Map.of("type", "join", "room", "eu:chat", "id", "j1"));
            JsonNode refused = carl.awaitRef("j1");
            assertThat(refused.path("code").asText()).isEqualTo("wrong_region");
            assertThat(refused.path("room").asText()).isEqualTo("eu:chat");
            assertThat(refused.path("regions")).extracting(JsonNode::asText).containsExactly("eu-west");
            assertThat(refused.path("url").asText()).isEqualTo("ws://127.0.0.1:1/eu-1");
            assertThat(carl.publish("eu:chat", "p1", "x").path("code").asText()).isEqualTo("wrong_region");
            carl.send(Map.of("type", "presence", "room", "eu:chat", "id", "q1"));
            assertThat(carl.awaitRef("q1").path("code").asText()).isEqualTo("wrong_region");
            assertThat(carl.isOpen()).as("the session stays open").isTrue();
            assertThat(carl.join("lobby").path("type").asText()).isEqualTo("joined");

            try (TestClient back = TestClient.connect(us.uri())) {
                back.send(Map.of("type", "hello", "token", "dora", "protocol", 1, "id", "h",
                        "resume", Map.of("eu:chat", Map.of("offset", 0, "epoch", "x"), "lobby", Map.of("offset", 0, "epoch", "x"))));
                JsonNode welcome = back.awaitType("welcome");
                assertThat(welcome.path("recovered").has("lobby")).isTrue();
                assertThat(welcome.path("recovered").has("eu:chat")).isFalse();
                JsonNode err = back.awaitFrame(f -> "error".equals(TestClient.type(f)), WAIT);
                assertThat(err.path("code").asText()).isEqualTo("wrong_region");
                assertThat(err.path("room").asText()).isEqualTo("eu:chat");
            }

            // The application on the wrong node is refused the same way, nothing published.
            for (var call : List.<java.util.function.Supplier<java.util.concurrent.CompletableFuture<?>>>of(
                    () -> us.publish("eu:chat", "\"x\""), () -> us.presence("eu:chat"),
                    () -> us.history("eu:chat", null, 10), () -> us.listen("eu:chat", m -> { }))) {
                assertThatThrownBy(() -> call.get().get(5, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(WrongRegionException.class).hasMessageContaining("[eu-west]");
            }
            assertThat(euOnly.connect("s").history().readAfter("eu:chat", 0, 10).join().messages()).isEmpty();
        }
    }

    @Test
    @DisplayName("erasing a user from a US node removes their messages in the EU zone and the global rooms; no resume returns them")
    void erasureReachesEveryZone() throws Exception {
        try (GeoWsNode eu = eu("eu-1");
             GeoWsNode us = us("us-1");
             TestClient anna = TestClient.connectAs(eu.uri(), "anna");
             TestClient ben = TestClient.connectAs(eu.uri(), "ben");
             TestClient carl = TestClient.connectAs(us.uri(), "carl")) {
            awaitDirectory(2);
            JsonNode start = anna.join("eu:chat");
            ben.join("eu:chat");
            anna.join("lobby");
            carl.join("lobby");
            for (int i = 0; i < 3; i++) {
                anna.publishAndAwait("eu:chat", "a" + i, WAIT, ben);
                ben.publishAndAwait("eu:chat", "b" + i, WAIT, anna);
            }
            anna.publishAndAwait("lobby", "la", WAIT, carl);
            carl.publishAndAwait("lobby", "lc", WAIT, anna);
            List<Long> bensOffsets = eu.history("eu:chat", null, 100).get(5, TimeUnit.SECONDS).messages().stream()
                    .filter(m -> "ben".equals(m.from())).map(m -> m.position().offset()).toList();

            io.geows.ErasureReport report = us.eraseUser("anna").get(20, TimeUnit.SECONDS);

            assertThat(report.complete()).as("report %s", report).isTrue();
            assertThat(report.removed()).containsEntry("eu", 3L).containsEntry(io.geows.ErasureReport.GLOBAL, 1L);
            assertThat(anna.awaitClose(WAIT)).as("the erased user's sessions are closed for good").isEqualTo(4500);
            var euHistory = eu.history("eu:chat", null, 100).get(5, TimeUnit.SECONDS).messages();
            assertThat(euHistory).extracting(m -> m.from()).containsOnly("ben");
            assertThat(euHistory).extracting(m -> m.position().offset()).as("other users' offsets").isEqualTo(bensOffsets);
            assertThat(us.history("lobby", null, 100).get(5, TimeUnit.SECONDS).messages())
                    .extracting(m -> m.envelope().id()).containsExactly("lc");
            // A resume from before the erased messages, on the node that had them in memory, does not return them.
            try (TestClient back = TestClient.connect(eu.uri())) {
                back.send(Map.of("type", "hello", "token", "ben", "protocol", 1, "id", "h", "resume",
                        Map.of("eu:chat", Map.of("offset", start.path("offset").asLong(), "epoch", start.path("epoch").asText()))));
                back.awaitType("welcome");
                List<JsonNode> replay = back.drain(f -> "message".equals(TestClient.type(f)), Duration.ofMillis(500));
                assertThat(replay).extracting(f -> f.path("id").asText()).containsExactly("b0", "b1", "b2");
            }
        }
    }

    @Test
    @DisplayName("a pinned user is served only in their zone: sessions, presence and direct messages go through its broker")
    void pinnedUsersStayInTheirZone() throws Exception {
        try (GeoWsNode eu1 = eu("eu-1");
             GeoWsNode eu2 = eu("eu-2");
             GeoWsNode us = us("us-1");
             TestClient anna = TestClient.connectAs(eu1.uri(), "eu.anna");
             TestClient ben = TestClient.connectAs(eu2.uri(), "ben");
             TestClient carl = TestClient.connectAs(us.uri(), "carl")) {
            BrokerAdapter globalSpy = global.connect("spy");
            BrokerAdapter euSpy = euOnly.connect("eu-spy");
            Await.until("anna in the EU directory", WAIT, () -> !euSpy.presence().locate("eu.anna").join().isEmpty());
            assertThat(globalSpy.presence().locate("eu.anna").get(5, TimeUnit.SECONDS)).as("a pinned user's presence, globally")
                    .isEmpty();

            ben.send(Map.of("type", "direct", "to", "eu.anna", "id", "d1", "data", "from another EU node"));
            assertThat(ben.awaitRef("d1").path("type").asText()).isEqualTo("ack");
            assertThat(anna.awaitFrame(f -> "d1".equals(f.path("id").asText()), WAIT).path("data").asText())
                    .isEqualTo("from another EU node");

            carl.send(Map.of("type", "direct", "to", "eu.anna", "id", "d2", "data", "from the US"));
            JsonNode refused = carl.awaitRef("d2");
            assertThat(refused.path("code").asText()).isEqualTo("wrong_region");
            assertThat(refused.path("user").asText()).isEqualTo("eu.anna");
            assertThat(anna.drain(f -> "d2".equals(f.path("id").asText()), Duration.ofMillis(300))).isEmpty();
            assertThatThrownBy(() -> us.sendToUser("eu.anna", "\"x\"").get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(WrongRegionException.class);

            try (TestClient misplaced = TestClient.connect(us.uri())) {
                misplaced.send(Map.of("type", "hello", "token", "eu.anna", "protocol", 1, "id", "h"));
                JsonNode moved = misplaced.awaitRef("h");
                assertThat(moved.path("code").asText()).isEqualTo("wrong_region");
                assertThat(moved.path("user").asText()).isEqualTo("eu.anna");
                assertThat(moved.path("regions")).extracting(JsonNode::asText).containsExactly("eu-west");
                assertThat(misplaced.awaitClose(WAIT)).isEqualTo(1001);
            }
            globalSpy.close();
            euSpy.close();
        }
    }

    @Test
    @DisplayName("a node whose rules do not fit is refused at start-up, naming the problem")
    void misconfiguredNodesAreRefused() {
        assertThatThrownBy(() -> node("eu-west", "a", global).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zone 'eu'")
                .hasMessageContaining("no broker is configured");
        assertThatThrownBy(() -> node("us-east", "b", global).zoneBroker("eu", new InMemoryBroker().connect("b")).build())
                .hasMessageContaining("does not include this node's region 'us-east'");
        assertThatThrownBy(() -> node("ap-south", "c", global).build())
                .hasMessageContaining("'ap-south' is not one of the declared regions");
        assertThatThrownBy(() -> node("eu-west", "d", global).zoneBroker("apac", new InMemoryBroker().connect("d"))
                .zoneBroker("eu", new InMemoryBroker().connect("d2")).build())
                .hasMessageContaining("zone 'apac'");
    }
}
