package io.geows.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.Authenticator;
import io.geows.CloseCodes;
import io.geows.GeoWsException;
import io.geows.GeoWsNode;
import io.geows.Topics;
import io.geows.memory.InMemoryBroker;
import io.geows.testkit.Await;
import io.geows.testkit.TestClient;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class NodeLifecycleIntegrationTests {

    @Test
    @DisplayName("close() sends goaway naming another region, then closes with 1001, and readiness turns false")
    void gracefulCloseSendsGoaway() {
        InMemoryBroker broker = new InMemoryBroker();
        try (GeoWsNode eu = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("eu-west").nodeId("eu-1").publicUrl("ws://127.0.0.1:9/")
                .broker(broker.connect("eu-1")).build().start()) {
            GeoWsNode us = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east").nodeId("us-1").drainTimeout(Duration.ofSeconds(5))
                    .broker(broker.connect("us-1")).build().start();
            assertThat(us.isReady()).isTrue();
            TestClient c = TestClient.connectAs(us.uri(), "alice");
            try (var probe = broker.connect("probe")) {
                Await.until("eu is in the node directory", Duration.ofSeconds(10),
                        () -> probe.presence().nodes().join().stream().anyMatch(n -> n.nodeId().equals("eu-1")));
            }
            Thread closer = new Thread(us::close);
            closer.start();
            JsonNode goaway = c.awaitType("goaway");
            assertThat(goaway.path("region").asText()).isEqualTo("eu-west");
            assertThat(goaway.path("url").asText()).isEqualTo("ws://127.0.0.1:9/");
            assertThat(us.isReady()).isFalse();
            c.close(); // a client that honours goaway leaves; close() then finishes without waiting out the drain
            Await.until("close finished", Duration.ofSeconds(10), () -> !closer.isAlive());
        }
    }

    @Test
    @DisplayName("clients that ignore goaway are closed with 1001 after the drain timeout")
    void drainTimeoutClosesTheRest() {
        GeoWsNode us = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east").drainTimeout(Duration.ofMillis(200)).build().start();
        TestClient c = TestClient.connectAs(us.uri(), "stubborn");
        us.close();
        assertThat(c.awaitClose(Duration.ofSeconds(10))).isEqualTo(CloseCodes.GOING_AWAY);
        assertThat(c.seen()).anyMatch(f -> "goaway".equals(TestClient.type(f)));
    }

    @Test
    @DisplayName("a node subscribes to a room topic only while it has a local member")
    void interestBasedSubscriptions() {
        InMemoryBroker broker = new InMemoryBroker();
        String topic = Topics.defaults().room("quiet");
        try (GeoWsNode node = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east").broker(broker.connect("n")).build().start();
             TestClient a = TestClient.connectAs(node.uri(), "a");
             TestClient b = TestClient.connectAs(node.uri(), "b")) {
            assertThat(broker.subscriberCount(topic)).isZero();
            a.join("quiet");
            b.join("quiet");
            assertThat(broker.subscriberCount(topic)).isEqualTo(1);
            a.send(java.util.Map.of("type", "leave", "room", "quiet", "id", "l"));
            a.awaitRef("l");
            assertThat(broker.subscriberCount(topic)).isEqualTo(1);
            b.close();
            Await.until("unsubscribed after the last member left", Duration.ofSeconds(10),
                    () -> broker.subscriberCount(topic) == 0);
        }
    }

    @Test
    @DisplayName("a connection that stops answering pings is found dead and closed; its user goes offline")
    void deadConnectionIsDetectedByPing() throws Exception {
        try (GeoWsNode node = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east")
                .limits(io.geows.NodeLimits.builder().pingInterval(Duration.ofSeconds(1)).build()).build().start();
             java.net.Socket silent = new java.net.Socket("127.0.0.1", node.port())) {
            RawWebSocket.handshake(silent, node.port());
            RawWebSocket.sendText(silent.getOutputStream(), "{\"type\":\"hello\",\"token\":\"ghost\",\"protocol\":1}");
            Await.until("the session is registered", Duration.ofSeconds(10), () -> node.stats().sessions() == 1);
            // The socket stays open at the TCP level but never answers a ping: the node must notice.
            Await.until("the dead session is closed", Duration.ofSeconds(10), () -> node.stats().sessions() == 0);
        }
    }

    @Test
    @DisplayName("a port in use fails start() with a message naming the address and the way out")
    void portInUse() {
        try (GeoWsNode first = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east").build().start()) {
            GeoWsNode second = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east").port(first.port()).build();
            assertThatThrownBy(second::start).isInstanceOf(GeoWsException.class)
                    .hasMessageContaining("127.0.0.1:" + first.port()).hasMessageContaining("0 for a free port");
        }
    }

    @Test
    @DisplayName("frames sent right after hello wait for the welcome instead of being refused")
    void framesRightAfterHelloWaitForWelcome() {
        try (GeoWsNode node = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east").build().start();
             TestClient c = TestClient.connect(node.uri())) {
            c.send(java.util.Map.of("type", "hello", "token", "eager", "protocol", 1, "resume",
                    java.util.Map.of("r", java.util.Map.of("offset", 0, "epoch", "old"))));
            c.send(java.util.Map.of("type", "publish", "room", "r", "id", "p", "data", 1));
            assertThat(c.awaitRef("p").path("type").asText()).isEqualTo("ack");
            assertThat(TestClient.type(c.seen().get(0))).isEqualTo("welcome");
        }
    }
}
