package io.geows.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.GeoWsNode;
import io.geows.InterRegionKeys;
import io.geows.testkit.Await;
import io.geows.testkit.RedisServer;
import io.geows.testkit.TestClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two regions whose nodes log in with exactly the ACL {@code docs/deployment.md} recommends (read
 * from that file, so the two cannot drift apart): everything works, and Redis refused nothing.
 */
class RedisLeastPrivilegeIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String PASSWORD = "n0de-Secret";
    private static final String ADMIN_PASSWORD = "adm1n-Secret";
    private static final InterRegionKeys KEYS = InterRegionKeys.signingWith("prod-1",
            "a-shared-secret-of-32-bytes-min!".getBytes(StandardCharsets.UTF_8));
    private static RedisServer redis;

    /** The rules of the {@code user geows on >...} line in the deployment guide. */
    static String[] documentedRules() throws IOException {
        Path doc = Path.of("..", "docs", "deployment.md");
        String line = Files.readAllLines(doc).stream().filter(l -> l.startsWith("user geows on >")).findFirst()
                .orElseThrow(() -> new AssertionError("no 'user geows on >' line in " + doc.toAbsolutePath()));
        String[] words = line.trim().split("\\s+");
        return Arrays.copyOfRange(words, 4, words.length); // after: user geows on >secret
    }

    @BeforeAll
    static void startRedis() throws IOException {
        redis = RedisServer.builder().aclUser("geows", PASSWORD, documentedRules())
                .aclUser("admin", ADMIN_PASSWORD)
                .aclUser("otherapp", "0ther-Secret", "~app:*", "&app.*", "+@all")
                .start();
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    private static GeoWsNode node(String region, String id) {
        return TestNodes.nodeBuilder(region, id)
                .broker(TestNodes.broker("redis://127.0.0.1:" + redis.port(), id)
                        .credentials("geows", PASSWORD.toCharArray())
                        .checkInterval(Duration.ofMillis(200)).historySize(4).build())
                .interRegionKeys(KEYS).build().start();
    }

    private static StatefulRedisConnection<String, String> login(RedisClient client, String user, String password) {
        return client.connect(RedisURI.builder().withHost("127.0.0.1").withPort(redis.port())
                .withAuthentication(user, password.toCharArray()).build());
    }

    @Test
    @DisplayName("two regions on the documented ACL: rooms, history (trimmed), resume, direct, presence, broadcast work and Redis refused no command")
    void nodesNeedNothingMoreThanTheDocumentedAcl() throws Exception {
        RedisClient admin = RedisClient.create();
        try (StatefulRedisConnection<String, String> root = login(admin, "admin", ADMIN_PASSWORD);
             GeoWsNode us = node("us-east", "us-acl");
             GeoWsNode eu = node("eu-west", "eu-acl");
             TestClient alice = TestClient.connectAs(us.uri(), "alice");
             TestClient bob = TestClient.connectAs(eu.uri(), "bob")) {
            root.sync().aclLogReset();
            Await.until("nodes ready", WAIT, () -> us.isReady() && eu.isReady());
            alice.join("lobby");
            bob.join("lobby");
            JsonNode first = null;
            for (int i = 0; i < 6; i++) { // past the history size: the script trims
                JsonNode ack = alice.publish("lobby", "m" + i, i);
                assertThat(ack.path("type").asText()).isEqualTo("ack");
                first = first == null ? ack : first;
                assertThat(bob.awaitMessage("lobby").path("id").asText()).isEqualTo("m" + i);
            }
            TestClient carol = TestClient.connectAs(eu.uri(), "carol");
            carol.send(Map.of("type", "join", "room", "lobby", "id", "j",
                    "since", Map.of("offset", first.path("offset").asLong() + 2, "epoch", first.path("epoch").asText())));
            assertThat(carol.awaitRef("j").path("type").asText()).isEqualTo("joined");
            assertThat(List.of(carol.awaitMessage("lobby").path("id").asText(), carol.awaitMessage("lobby").path("id").asText(),
                    carol.awaitMessage("lobby").path("id").asText())).containsExactly("m3", "m4", "m5");
            carol.close();

            alice.send(Map.of("type", "direct", "to", "bob", "id", "d1", "data", "psst"));
            assertThat(alice.awaitRef("d1").path("type").asText()).isNotEqualTo("error");
            assertThat(bob.awaitType("direct").path("data").asText()).isEqualTo("psst");
            alice.send(Map.of("type", "presence", "room", "lobby", "id", "p1"));
            Await.until("both users present", WAIT, () -> {
                alice.send(Map.of("type", "presence", "room", "lobby", "id", "p2"));
                JsonNode p = alice.awaitRef("p2");
                return p.path("members").size() == 2;
            });
            us.broadcast("\"maintenance at noon\"").get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(bob.awaitType("broadcast").path("data").asText()).isEqualTo("maintenance at noon");
            // a few self-checks of the subscriptions (CLIENT INFO, canary) have run by now
            Await.until("self-checks ran", WAIT, () -> us.isReady() && eu.isReady());

            List<Map<String, Object>> refused = root.sync().aclLog();
            assertThat(refused).as("commands, keys or channels Redis refused the nodes").isEmpty();
        } finally {
            admin.shutdown();
        }
    }

    @Test
    @DisplayName("the nodes' user cannot list, flush or watch; another application's user cannot reach geows channels or keys")
    void whatTheAclRefuses() {
        RedisClient client = RedisClient.create();
        try (StatefulRedisConnection<String, String> node = login(client, "geows", PASSWORD);
             StatefulRedisConnection<String, String> other = login(client, "otherapp", "0ther-Secret")) {
            assertThatThrownBy(() -> node.sync().keys("*")).isInstanceOf(RedisCommandExecutionException.class)
                    .hasMessageContaining("NOPERM");
            assertThatThrownBy(() -> node.sync().flushall()).hasMessageContaining("NOPERM");
            assertThatThrownBy(() -> node.sync().configGet("*")).hasMessageContaining("NOPERM");
            assertThatThrownBy(() -> node.sync().get("app:x")).hasMessageContaining("NOPERM");
            assertThatThrownBy(() -> other.sync().publish("geows.room.lobby", "G1 99 x\nhello"))
                    .hasMessageContaining("NOPERM");
            assertThatThrownBy(() -> other.sync().xadd("{geows.room.lobby}:h", Map.of("p", "x")))
                    .hasMessageContaining("NOPERM");
            assertThat(other.sync().publish("app.events", "fine")).isZero();
        } finally {
            client.shutdown();
        }
    }
}
