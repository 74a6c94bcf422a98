package io.geows.nats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.InterRegionKeys;
import io.geows.Topics;
import io.geows.testkit.Await;
import io.geows.testkit.NatsServer;
import io.geows.testkit.TestClient;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Someone who can publish on the geows NATS account but lacks the inter-region key: a raw jnats
 * client sends well-formed messages under alice's name on the room subject, into the history stream
 * (where they get a real offset), to a node's inbox and to everyone. No one receives them; the nodes
 * count them.
 */
class NatsInjectionIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final InterRegionKeys KEYS = InterRegionKeys.signingWith("prod-1",
            "a-shared-secret-of-32-bytes-min!".getBytes(StandardCharsets.UTF_8));
    private static NatsServer nats;

    @BeforeAll
    static void startServer() {
        nats = NatsServer.builder().jetStream().start();
    }

    @AfterAll
    static void stopServer() {
        nats.close();
    }

    private static GeoWsNode node(String region, String id) {
        return GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region(region).nodeId(id)
                .broker(TestNodes.options(nats.uri(), id).build())
                .interRegionKeys(KEYS).drainTimeout(Duration.ZERO).build().start();
    }

    @Test
    @DisplayName("messages published by a raw NATS client without the key (forged sender, valid JSON) reach no one and are counted")
    void injectedMessagesAreDroppedAndCounted() throws Exception {
        try (GeoWsNode us = node("us-east", "us-inj");
             GeoWsNode eu = node("eu-west", "eu-inj");
             TestClient alice = TestClient.connectAs(us.uri(), "alice");
             TestClient bob = TestClient.connectAs(eu.uri(), "bob")) {
            Await.until("nodes ready", WAIT, () -> us.isReady() && eu.isReady());
            alice.join("lobby");
            JsonNode joined = bob.join("lobby");
            String epoch = joined.path("epoch").asText();
            String envelope = "{\"k\":\"room\",\"id\":\"evil\",\"room\":\"lobby\",\"from\":\"alice\",\"region\":\"us-east\","
                    + "\"node\":\"us-inj\",\"ts\":" + System.currentTimeMillis() + ",\"data\":\"wire me money\"}";
            byte[] forged = envelope.getBytes(StandardCharsets.UTF_8);
            Topics topics = Topics.defaults();
            try (Connection raw = Nats.connect(nats.uri())) {
                // into the history stream: the adapter republishes it with a real offset to both nodes
                raw.jetStream().publish("geows.history." + epoch + "." + Topics.escape("lobby"), forged);
                raw.publish(topics.room("lobby"), forged);
                raw.publish(topics.node("eu-inj"), envelope.replace("\"k\":\"room\"", "\"k\":\"direct\"")
                        .replace("\"room\":\"lobby\"", "\"to\":\"bob\"").getBytes(StandardCharsets.UTF_8));
                raw.publish(topics.all(), envelope.replace("\"k\":\"room\"", "\"k\":\"broadcast\"").getBytes(StandardCharsets.UTF_8));
                raw.flush(Duration.ofSeconds(5));
            }
            Await.until(() -> "forged: us=" + us.stats().brokerMessagesForged() + " eu=" + eu.stats().brokerMessagesForged(),
                    WAIT, () -> us.stats().brokerMessagesForged() >= 3 && eu.stats().brokerMessagesForged() >= 4);

            assertThat(alice.publish("lobby", "genuine", 1).path("type").asText()).isEqualTo("ack");
            assertThat(bob.awaitMessage("lobby").path("id").asText()).isEqualTo("genuine");
            assertThat(alice.awaitMessage("lobby").path("id").asText()).isEqualTo("genuine");
            for (TestClient c : List.of(alice, bob)) {
                assertThat(c.seen()).noneMatch(f -> "evil".equals(f.path("id").asText())
                        || "direct".equals(TestClient.type(f)) || "broadcast".equals(TestClient.type(f)));
            }
        }
    }
}
