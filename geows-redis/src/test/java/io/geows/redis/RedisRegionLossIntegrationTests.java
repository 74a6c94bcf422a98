package io.geows.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.testkit.Await;
import io.geows.testkit.RedisSentinelGroup;
import io.geows.testkit.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Losing the region that holds the Redis primary: three regions, a Redis server and a Sentinel in
 * each, a node in each with {@code replicasToAck(1)}. The primary's region is killed mid-stream.
 */
class RedisRegionLossIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static GeoWsNode node(RedisSentinelGroup redis, String region) {
        return GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region(region).nodeId(region + "-1")
                .broker(RedisBroker.builder().uri(redis.uri()).replicasToAck(1).replicaAckTimeout(Duration.ofSeconds(1))
                        .commandTimeout(Duration.ofSeconds(2)).build())
                .presenceTtl(Duration.ofSeconds(3)).drainTimeout(Duration.ZERO).build().start();
    }

    /** Publishes until acknowledged (the client's duty after 'unavailable': the same id again). */
    private static JsonNode publishUntilAcked(TestClient c, String room, String id) {
        JsonNode[] ack = {null};
        Await.until("publish " + id + " acknowledged", WAIT, () -> {
            JsonNode a = c.publish(room, id, id);
            if ("ack".equals(TestClient.type(a))) {
                ack[0] = a;
                return true;
            }
            assertThat(a.path("code").asText()).as("answer to %s: %s", id, a).isEqualTo("unavailable");
            return false;
        });
        return ack[0];
    }

    @Test
    @DisplayName("killing the region with the Redis primary loses no acknowledged message; publishes are accepted again within the bound")
    void losingThePrimarysRegionLosesNothingAcknowledged() {
        try (RedisSentinelGroup redis = RedisSentinelGroup.start(3)) {
            GeoWsNode r0 = node(redis, "region-0");
            GeoWsNode r1 = node(redis, "region-1");
            GeoWsNode r2 = node(redis, "region-2");
            try (TestClient lost = TestClient.connectAs(r0.uri(), "lost");
                 TestClient alice = TestClient.connectAs(r1.uri(), "alice");
                 TestClient carol = TestClient.connectAs(r2.uri(), "carol")) {
                String room = "ledger";
                for (TestClient c : List.of(lost, alice, carol)) {
                    c.join(room);
                }
                List<String> acked = new ArrayList<>();
                long lastOffset = 0;
                String epoch = null;
                for (int i = 0; i < 20; i++) {
                    JsonNode a = publishUntilAcked(alice, room, "m" + i);
                    assertThat(a.path("offset").asLong()).isGreaterThan(lastOffset);
                    lastOffset = a.path("offset").asLong();
                    epoch = a.path("epoch").asText();
                    acked.add("m" + i);
                }

                long killed = System.nanoTime();
                redis.killRegion(0);
                r0.close(); // the region's node goes with it
                JsonNode first = publishUntilAcked(alice, room, "m20");
                Duration outage = Duration.ofNanos(System.nanoTime() - killed);
                acked.add("m20");
                for (int i = 21; i < 40; i++) {
                    publishUntilAcked(alice, room, "m" + i);
                    acked.add("m" + i);
                }
                assertThat(first.path("offset").asLong()).as("offsets go on after the promotion").isGreaterThan(lastOffset);
                alice.publish(room, "end", "end");
                List<String> got = new ArrayList<>();
                while (true) {
                    String id = carol.awaitMessage(room).path("id").asText();
                    if (id.equals("end")) {
                        break;
                    }
                    got.add(id);
                }
                assertThat(got).as("carol (another surviving region): every acknowledged message once, in order")
                        .containsExactlyElementsOf(acked);
                System.out.println("region loss: publishes accepted again after " + outage.toMillis() + " ms");
                assertThat(outage).as("publishes accepted again within").isLessThan(Duration.ofSeconds(10));

                // A client of the surviving regions that resumes from before the loss recovers everything.
                try (TestClient back = TestClient.connectAs(r2.uri(), "dave")) {
                    back.send(Map.of("type", "join", "room", room, "id", "j",
                            "since", Map.of("offset", 0, "epoch", epoch)));
                    JsonNode joined = back.awaitRef("j");
                    assertThat(joined.path("recovered").asBoolean()).as("recovered after the promotion: %s", joined).isTrue();
                }
            } finally {
                r1.close();
                r2.close();
            }
        }
    }
}
