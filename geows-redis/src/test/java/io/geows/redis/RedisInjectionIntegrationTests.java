package io.geows.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.GeoWsNode;
import io.geows.InterRegionKeys;
import io.geows.Topics;
import io.geows.testkit.Await;
import io.geows.testkit.RedisServer;
import io.geows.testkit.TestClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Someone who can PUBLISH on the geows Redis but lacks the inter-region key: a raw Lettuce client
 * sends well-formed messages under alice's name, framed exactly as the adapter frames history
 * messages (next offset, current epoch). No one receives them; both nodes count them.
 */
class RedisInjectionIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final InterRegionKeys KEYS = InterRegionKeys.signingWith("prod-1",
            "a-shared-secret-of-32-bytes-min!".getBytes(StandardCharsets.UTF_8));
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.launch();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private static GeoWsNode node(String region, String id) {
        return TestNodes.nodeBuilder(region, id).broker(TestNodes.broker(redis.uri(), id).build())
                .interRegionKeys(KEYS).build().start();
    }

    @Test
    @DisplayName("messages PUBLISHed by a raw Redis client without the key (forged sender, valid JSON) reach no one and are counted")
    void injectedMessagesAreDroppedAndCounted() {
        try (GeoWsNode us = node("us-east", "us-inj");
             GeoWsNode eu = node("eu-west", "eu-inj");
             TestClient alice = TestClient.connectAs(us.uri(), "alice");
             TestClient bob = TestClient.connectAs(eu.uri(), "bob");
             RedisClient raw = RedisClient.create(redis.uri());
             StatefulRedisConnection<String, String> cli = raw.connect()) {
            Await.until("nodes ready", WAIT, () -> us.isReady() && eu.isReady());
            alice.join("lobby");
            JsonNode joined = bob.join("lobby");
            long next = joined.path("offset").asLong() + 1;
            String epoch = joined.path("epoch").asText();
            String envelope = "{\"k\":\"room\",\"id\":\"evil\",\"room\":\"lobby\",\"from\":\"alice\",\"region\":\"us-east\","
                    + "\"node\":\"us-inj\",\"ts\":" + System.currentTimeMillis() + ",\"data\":\"wire me money\"}";
            Topics topics = Topics.defaults();
            cli.sync().publish(topics.room("lobby"), "G1 " + next + " " + epoch + "\n" + envelope);
            cli.sync().publish(topics.node("eu-inj"), envelope.replace("\"k\":\"room\"", "\"k\":\"direct\"")
                    .replace("\"room\":\"lobby\"", "\"to\":\"bob\""));
            cli.sync().publish(topics.all(), envelope.replace("\"k\":\"room\"", "\"k\":\"broadcast\""));
            // a signature line that does not verify is no better
            cli.sync().publish(topics.room("lobby"), "G1 " + next + " " + epoch + "\n#gws1:prod-1:"
                    + "A".repeat(43) + "\n" + envelope);
            Await.until(() -> "forged: us=" + us.stats().brokerMessagesForged() + " eu=" + eu.stats().brokerMessagesForged(),
                    WAIT, () -> us.stats().brokerMessagesForged() >= 3 && eu.stats().brokerMessagesForged() >= 4);

            assertThat(alice.publish("lobby", "genuine", 1).path("type").asText()).isEqualTo("ack");
            assertThat(bob.awaitMessage("lobby").path("id").asText()).isEqualTo("genuine");
            for (TestClient c : List.of(alice, bob)) {
                assertThat(c.seen()).noneMatch(f -> "evil".equals(f.path("id").asText())
                        || "direct".equals(TestClient.type(f)) || "broadcast".equals(TestClient.type(f)));
            }
            raw.shutdown();
        }
    }
}
