package io.geows.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.GeoWsException;
import io.geows.GeoWsNode;
import io.geows.Topics;
import io.geows.testkit.Await;
import io.geows.testkit.Ports;
import io.geows.testkit.RedisServer;
import io.geows.testkit.TestClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Redis-specific behaviour and faults on a real redis-server. */
class RedisBrokerIntegrationTests {
    private static final Logger log = LoggerFactory.getLogger(RedisBrokerIntegrationTests.class);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.launch();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private static RedisBroker broker(String name) {
        return RedisBroker.builder().uri(redis.uri()).name(name)
                .checkInterval(Duration.ofMillis(200)).commandTimeout(Duration.ofSeconds(2)).build();
    }

    private static GeoWsNode node(String region, String id) {
        return TestNodes.nodeBuilder(region, id).broker(broker(id)).build().start();
    }

    @Test
    @DisplayName("a subscription lost behind the adapter's back is noticed: not ready, subscribed again, messages flow")
    void silentlyLostSubscriptionIsDetectedAndRepaired() {
        RedisBroker usBroker = broker("us-silent");
        try (GeoWsNode us = TestNodes.nodeBuilder("us-east", "us-silent").broker(usBroker).build().start();
             GeoWsNode eu = node("eu-west", "eu-silent");
             TestClient alice = TestClient.connectAs(us.uri(), "alice");
             TestClient carol = TestClient.connectAs(eu.uri(), "carol")) {
            alice.join("quiet");
            carol.join("quiet");
            carol.publish("quiet", "before", 1);
            assertThat(alice.awaitMessage("quiet").path("id").asText()).isEqualTo("before");

            // The classic bug: Redis no longer sends this channel to us, and nothing says so.
            usBroker.dropSubscriptionSilently(Topics.defaults().room("quiet"));
            Await.until("the self-check reports the node not ready", WAIT, () -> !us.isReady());
            Await.until("the self-check repairs the subscription", WAIT, us::isReady);
            carol.publish("quiet", "after", 2);
            assertThat(alice.awaitMessage("quiet").path("id").asText()).isEqualTo("after");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @DisplayName("kill -9 mid-stream and restart on the same port: not ready meanwhile, nothing silently lost, flowing again in seconds")
    void killAndRestartMidStream() throws Exception {
        try (GeoWsNode us = node("us-east", "us-kill");
             GeoWsNode eu = node("eu-west", "eu-kill");
             TestClient alice = TestClient.connectAs(us.uri(), "alice");
             TestClient carol = TestClient.connectAs(eu.uri(), "carol")) {
            alice.join("stream");
            carol.join("stream");
            Set<String> accepted = new LinkedHashSet<>();
            List<String> rejected = new ArrayList<>();
            int i = 0;
            for (; i < 20; i++) {
                JsonNode a = alice.publish("stream", "s" + i, i);
                assertThat(TestClient.type(a)).isEqualTo("ack");
                accepted.add("s" + i);
            }
            redis.kill();
            Await.until("both nodes notice", WAIT, () -> !us.isReady() && !eu.isReady());
            for (; i < 30; i++) {
                JsonNode a = alice.publish("stream", "s" + i, i);
                if ("ack".equals(TestClient.type(a))) {
                    accepted.add("s" + i);
                } else {
                    assertThat(a.path("code").asText()).isEqualTo("unavailable");
                    rejected.add("s" + i);
                }
            }
            assertThat(rejected).as("publishes during the outage are refused, not swallowed").isNotEmpty();

            long restartedAt = System.nanoTime();
            redis.start();
            Await.until("both nodes ready again", WAIT, () -> us.isReady() && eu.isReady());
            long readyMs = (System.nanoTime() - restartedAt) / 1_000_000;
            // First message end to end after the restart: us-east publishes, eu-west receives.
            Await.until("a publish is accepted again", WAIT,
                    () -> "ack".equals(TestClient.type(alice.publish("stream", "probe-" + System.nanoTime(), 0))));
            JsonNode first = carol.awaitFrame(f -> f.path("id").asText().startsWith("probe-"), WAIT);
            long flowingMs = (System.nanoTime() - restartedAt) / 1_000_000;
            log.info("redis restart -> nodes ready again in {} ms, first cross-region message delivered after {} ms",
                    readyMs, flowingMs);
            assertThat(first).isNotNull();
            assertThat(flowingMs).as("messages flow again within a few seconds").isLessThan(10_000);

            // What was refused is sent again (same ids), as a client does after 'unavailable'.
            for (String id : rejected) {
                assertThat(TestClient.type(alice.publish("stream", id, 0))).isEqualTo("ack");
            }
            alice.publish("stream", "end", "end");
            List<String> got = new ArrayList<>();
            while (true) {
                String id = carol.awaitMessage("stream").path("id").asText();
                if (id.equals("end")) {
                    break;
                }
                if (!id.startsWith("probe-")) {
                    got.add(id);
                }
            }
            List<String> expected = new ArrayList<>(accepted);
            expected.addAll(rejected);
            assertThat(got).containsExactlyElementsOf(expected);
        }
    }

    @Test
    @DisplayName("a stranger's message on a geows channel (redis-cli PUBLISH) is dropped and counted; the node keeps running")
    void foreignMessagesAreDropped() {
        try (GeoWsNode us = node("us-east", "us-foreign");
             TestClient alice = TestClient.connectAs(us.uri(), "alice");
             RedisClient raw = RedisClient.create(redis.uri());
             StatefulRedisConnection<String, String> cli = raw.connect()) {
            alice.join("lobby");
            cli.sync().publish(Topics.defaults().room("lobby"), "{\"hello\":\"from redis-cli\"}");
            cli.sync().publish(Topics.defaults().room("lobby"), "G1 7 fake\n{\"k\":\"room\"}");
            cli.sync().publish(Topics.defaults().node("us-foreign"), "\u0000\u0001binary");
            cli.sync().publish(Topics.defaults().all(), "garbage");
            Await.until(() -> "dropped: " + us.stats().brokerMessagesDropped(), WAIT,
                    () -> us.stats().brokerMessagesDropped() >= 4);
            assertThat(TestClient.type(alice.publish("lobby", "fine", 1))).isEqualTo("ack");
            assertThat(alice.awaitMessage("lobby").path("id").asText()).isEqualTo("fine");
            raw.shutdown();
        }
    }

    @Test
    @DisplayName("an application's own Lettuce client can be passed in, and is left running on close")
    void ownClientIsUsedAndNotShutDown() throws Exception {
        RedisClient mine = RedisClient.create(redis.uri());
        try {
            try (RedisBroker broker = RedisBroker.builder().client(mine).name("mine").build()) {
                java.util.concurrent.LinkedBlockingQueue<io.geows.spi.BrokerMessage> got = new java.util.concurrent.LinkedBlockingQueue<>();
                broker.subscribe("geows.node.mine", got::add).get(5, java.util.concurrent.TimeUnit.SECONDS);
                broker.publish("geows.node.mine", "x".getBytes(java.nio.charset.StandardCharsets.UTF_8)).get(5, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(got.poll(5, java.util.concurrent.TimeUnit.SECONDS)).isNotNull();
            }
            try (StatefulRedisConnection<String, String> still = mine.connect()) {
                assertThat(still.sync().ping()).isEqualTo("PONG");
            }
        } finally {
            mine.shutdown();
        }
    }

    @Test
    @DisplayName("an unreachable Redis fails with a message naming the address and the way out")
    void unreachableRedisIsNamed() {
        int port = Ports.freePort();
        assertThatThrownBy(() -> RedisBroker.builder().uri("redis://127.0.0.1:" + port)
                .commandTimeout(Duration.ofSeconds(1)).build())
                .isInstanceOf(GeoWsException.class)
                .hasMessageContaining("redis://127.0.0.1:" + port)
                .hasMessageContaining("GEOWS_BROKER");
    }
}
