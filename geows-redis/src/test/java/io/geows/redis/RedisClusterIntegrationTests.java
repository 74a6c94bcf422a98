package io.geows.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.GeoWsNode;
import io.geows.Topics;
import io.geows.testkit.RedisCluster;
import io.geows.testkit.TestClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Two regions on a real three-master Redis Cluster with sharded Pub/Sub. */
class RedisClusterIntegrationTests {
    private static RedisCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = RedisCluster.start();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    private static GeoWsNode node(String region, String id) {
        return TestNodes.nodeBuilder(region, id)
                .broker(RedisBroker.builder().cluster(cluster.uris()).name(id).checkInterval(Duration.ofMillis(500)).build())
                .build().start();
    }

    @Test
    @DisplayName("rooms spread over the shards; messages, direct, presence and resume work across regions")
    void roomsSpreadOverShardsAndEverythingWorks() {
        List<String> rooms = IntStream.range(0, 12).mapToObj(i -> "room-" + i).toList();
        RedisClusterClient probe = RedisClusterClient.create(RedisURI.create(cluster.uris()[0]));
        Set<String> shards = new HashSet<>();
        for (String room : rooms) {
            int slot = SlotHash.getSlot(Topics.defaults().room(room));
            shards.add(probe.getPartitions().getPartitionBySlot(slot).getNodeId());
        }
        probe.shutdown();
        assertThat(shards).as("rooms land on several shards").hasSizeGreaterThanOrEqualTo(2);

        try (GeoWsNode us = node("us-east", "us-cluster");
             GeoWsNode eu = node("eu-west", "eu-cluster");
             TestClient alice = TestClient.connectAs(us.uri(), "alice")) {
            TestClient carol = TestClient.connectAs(eu.uri(), "carol");
            rooms.forEach(alice::join);
            rooms.forEach(carol::join);
            Map<String, JsonNode> last = new LinkedHashMap<>();
            for (String room : rooms) {
                assertThat(TestClient.type(alice.publish(room, room + "-a", 1))).isEqualTo("ack");
            }
            for (String room : rooms) {
                JsonNode m = carol.awaitMessage(room);
                assertThat(m.path("id").asText()).isEqualTo(room + "-a");
                assertThat(m.path("region").asText()).isEqualTo("us-east");
                last.put(room, m);
            }

            carol.send(Map.of("type", "direct", "to", "alice", "id", "d1", "data", "psst"));
            assertThat(carol.awaitRef("d1").path("delivered").asInt()).isEqualTo(1);
            assertThat(alice.awaitType("direct").path("from").asText()).isEqualTo("carol");

            alice.send(Map.of("type", "presence", "room", "room-3", "id", "p"));
            Set<String> members = new HashSet<>();
            alice.awaitRef("p").path("members").forEach(x -> members.add(x.path("user").asText()));
            assertThat(members).containsExactlyInAnyOrder("alice", "carol");

            carol.close();
            for (String room : rooms.subList(0, 4)) {
                alice.publish(room, room + "-missed", 2);
            }
            Map<String, Object> resume = new HashMap<>();
            last.forEach((room, m) -> resume.put(room, Map.of("offset", m.path("offset").asLong(), "epoch", m.path("epoch").asText())));
            try (TestClient back = TestClient.connect(us.uri())) {
                back.send(Map.of("type", "hello", "token", "carol", "protocol", 1, "resume", resume));
                JsonNode welcome = back.awaitType("welcome");
                rooms.forEach(room -> assertThat(welcome.path("recovered").path(room).asBoolean()).as(room).isTrue());
                for (String room : rooms.subList(0, 4)) {
                    assertThat(back.awaitMessage(room).path("id").asText()).isEqualTo(room + "-missed");
                }
            }
        }
    }
}
