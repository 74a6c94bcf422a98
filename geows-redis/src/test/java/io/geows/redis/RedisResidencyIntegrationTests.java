package io.geows.redis;

import static io.geows.testkit.ResidencyChat.EU_ROOM;
import static io.geows.testkit.ResidencyChat.KEYS;
import static io.geows.testkit.ResidencyChat.RULES;
import static io.geows.testkit.ResidencyChat.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.GeoWsNode;
import io.geows.testkit.Await;
import io.geows.testkit.RedisMonitor;
import io.geows.testkit.RedisServer;
import io.geows.testkit.ResidencyChat;
import io.geows.testkit.TestClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data residency proven on the wire: {@code eu-west} and {@code us-east} each with a Redis of their
 * own for their pinned rooms, plus a global Redis. A raw Lettuce subscriber with a pattern on
 * everything, and {@code MONITOR} (every command the server runs: publishes, stream writes, presence
 * writes, reads), watch the US and the global Redis while EU members chat, read history and ask who
 * is there: neither sees a byte of the EU room, while a global room's messages reach both regions.
 */
class RedisResidencyIntegrationTests {
    private static final Logger log = LoggerFactory.getLogger(RedisResidencyIntegrationTests.class);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static GeoWsNode node(String region, String id, RedisServer global, String zone, RedisServer zoneRedis) {
        return TestNodes.nodeBuilder(region, id)
                .publicUrl("ws://127.0.0.1:1/" + id).interRegionKeys(KEYS).residency(RULES)
                .broker(TestNodes.broker(global.uri(), id).build())
                .zoneBroker(zone, TestNodes.broker(zoneRedis.uri(), id + "-" + zone).build())
                .build().start();
    }

    @Test
    @DisplayName("an EU-pinned chat leaves no byte on the US or the global Redis; a global room reaches both regions")
    void pinnedRoomNeverReachesOtherBrokers() throws Exception {
        try (RedisServer global = RedisServer.launch();
             RedisServer euRedis = RedisServer.launch();
             RedisServer usRedis = RedisServer.launch();
             RedisMonitor usMonitor = RedisMonitor.start(usRedis);
             RedisMonitor globalMonitor = RedisMonitor.start(global);
             RedisMonitor euMonitor = RedisMonitor.start(euRedis);
             RedisClient raw = RedisClient.create(usRedis.uri());
             StatefulRedisPubSubConnection<String, String> usTap = raw.connectPubSub()) {
            List<String> usHeard = new CopyOnWriteArrayList<>();
            usTap.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String pattern, String channel, String message) {
                    usHeard.add(channel + " " + message);
                }
            });
            usTap.sync().psubscribe("*");

            try (GeoWsNode eu = node("eu-west", "eu-1", global, "eu", euRedis);
                 GeoWsNode us = node("us-east", "us-1", global, "us", usRedis)) {
                ResidencyChat.run(eu, us, EU_ROOM, SECRET, WAIT);
                Await.until("the US tap heard the US room", WAIT, () -> usHeard.stream().anyMatch(l -> l.contains("us-desk")));
            }
            // Nodes closed: their presence clean-up and last writes are in the monitors too.
            Await.until("the EU monitor saw the chat", WAIT, () -> !euMonitor.linesWith(SECRET).isEmpty());

            assertThat(usHeard).as("US pattern subscriber: messages of the EU room").noneMatch(l -> l.contains(EU_ROOM))
                    .noneMatch(l -> l.contains(SECRET));
            for (var watched : List.of(Map.entry("US", usMonitor), Map.entry("global", globalMonitor))) {
                assertThat(watched.getValue().linesWith(EU_ROOM)).as(watched.getKey() + " Redis commands naming the EU room")
                        .isEmpty();
                assertThat(watched.getValue().linesWith(SECRET)).as(watched.getKey() + " Redis commands carrying its data")
                        .isEmpty();
                assertThat(watched.getValue().linesWith("eu-3")).as(watched.getKey() + " Redis commands with its message ids")
                        .isEmpty();
            }
            assertThat(globalMonitor.linesWith("global-1")).as("the global room went through the global Redis").isNotEmpty();
            assertThat(usMonitor.linesWith("us-desk")).as("the US room went through the US Redis").isNotEmpty();
            assertThat(euMonitor.linesWith(EU_ROOM)).as("the EU room went through the EU Redis").isNotEmpty();
            log.info("residency evidence: US Redis ran {} commands and its pattern subscriber heard {} messages, none naming "
                    + "'{}' or carrying its data; the global Redis ran {} commands, none naming it; the EU Redis ran {} commands, "
                    + "{} naming it", usMonitor.lines().size(), usHeard.size(), EU_ROOM, globalMonitor.lines().size(),
                    euMonitor.lines().size(), euMonitor.linesWith(EU_ROOM).size());
        }
    }

    @Test
    @DisplayName("erasing a user from the US node removes their messages from the EU Redis and the global one; no resume returns them")
    void erasureReachesTheEuZoneFromTheUs() throws Exception {
        try (RedisServer global = RedisServer.launch();
             RedisServer euRedis = RedisServer.launch();
             RedisServer usRedis = RedisServer.launch();
             GeoWsNode eu = node("eu-west", "eu-1", global, "eu", euRedis);
             GeoWsNode us = node("us-east", "us-1", global, "us", usRedis);
             TestClient anna = TestClient.connectAs(eu.uri(), "anna");
             TestClient ben = TestClient.connectAs(eu.uri(), "ben");
             TestClient carl = TestClient.connectAs(us.uri(), "carl")) {
            Await.until("both nodes ready and in the directory", WAIT, () -> eu.isReady() && us.isReady()
                    && us.eraseUser("nobody-" + System.nanoTime()).join().complete());
            JsonNode start = ben.join(EU_ROOM);
            anna.join(EU_ROOM);
            anna.join("lobby");
            carl.join("lobby");
            for (int i = 0; i < 4; i++) {
                anna.publishAndAwait(EU_ROOM, "a" + i, WAIT, ben);
                ben.publishAndAwait(EU_ROOM, "b" + i, WAIT, anna);
            }
            anna.publishAndAwait("lobby", "la", WAIT, carl);
            List<Long> bens = eu.history(EU_ROOM, null, 100).get(10, TimeUnit.SECONDS).messages().stream()
                    .filter(m -> "ben".equals(m.from())).map(m -> m.position().offset()).toList();

            io.geows.ErasureReport report = us.eraseUser("anna").get(30, TimeUnit.SECONDS);
            log.info("erasure from us-east: {}", report);
            assertThat(report.complete()).as("%s", report).isTrue();
            assertThat(report.removed()).containsEntry("eu", 4L).containsEntry(io.geows.ErasureReport.GLOBAL, 1L)
                    .containsEntry("us", 0L);
            var left = eu.history(EU_ROOM, null, 100).get(10, TimeUnit.SECONDS).messages();
            assertThat(left).extracting(m -> m.from()).containsOnly("ben");
            assertThat(left).extracting(m -> m.position().offset()).isEqualTo(bens);
            assertThat(us.history("lobby", null, 100).get(10, TimeUnit.SECONDS).messages()).isEmpty();
            try (TestClient back = TestClient.connect(eu.uri())) {
                back.send(Map.of("type", "hello", "token", "ben", "protocol", 1, "id", "h", "resume",
                        Map.of(EU_ROOM, Map.of("offset", start.path("offset").asLong(), "epoch", start.path("epoch").asText()))));
                back.awaitType("welcome");
                assertThat(back.drain(f -> "message".equals(TestClient.type(f)), Duration.ofMillis(500)))
                        .extracting(f -> f.path("id").asText()).containsExactly("b0", "b1", "b2", "b3");
            }
        }
    }
}
