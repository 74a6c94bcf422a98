package io.geows.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.memory.InMemoryBroker;
import io.geows.testkit.TestClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The experimental Netty transport carries the protocol end to end (rooms, replay, bad frames, close). */
class NettyTransportIntegrationTests {

    private static GeoWsNode node(InMemoryBroker broker, String region) {
        System.setProperty("geows.transport", "netty");
        try {
            return GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region(region)
                    .host("127.0.0.1").port(0).broker(broker.connect(region)).drainTimeout(Duration.ZERO).build().start();
        } finally {
            System.clearProperty("geows.transport");
        }
    }

    @Test
    @DisplayName("two regions on the Netty transport: a room message reaches both, a join with since replays, bad input is answered")
    void roomsWorkOnNetty() {
        InMemoryBroker broker = new InMemoryBroker();
        try (GeoWsNode us = node(broker, "us-east");
             GeoWsNode eu = node(broker, "eu-west");
             TestClient alice = TestClient.connectAs(us.uri(), "alice");
             TestClient bob = TestClient.connectAs(eu.uri(), "bob")) {
            alice.join("r");
            bob.join("r");
            var first = alice.publishAndAwait("r", "m1", Duration.ofSeconds(10), alice, bob);
            alice.publishAndAwait("r", "m2", Duration.ofSeconds(10), alice, bob);
            assertThat(bob.idsAndOffsets("r")).containsExactly("m1@" + first.path("offset").asLong(),
                    "m2@" + (first.path("offset").asLong() + 1));
            try (TestClient carol = TestClient.connectAs(eu.uri(), "carol")) {
                carol.send(Map.of("type", "join", "room", "r", "id", "j",
                        "since", Map.of("offset", first.path("offset").asLong(), "epoch", first.path("epoch").asText())));
                assertThat(carol.awaitMessage("r").path("id").asText()).isEqualTo("m2");
                carol.sendRaw("{not json");
                assertThat(carol.awaitType("error").path("code").asText()).isEqualTo("bad_json");
            }
            // a closed connection ends its session
            io.geows.testkit.Await.until(() -> "sessions on eu: " + eu.stats().sessions(), Duration.ofSeconds(10),
                    () -> eu.stats().sessions() == 1);
        }
    }
}
