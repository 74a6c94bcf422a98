package io.geows.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.geows.Topics;
import io.geows.spi.BrokerAdapter;
import io.geows.testkit.BrokerCompatibilityKit;
import io.geows.testkit.RedisCluster;
import io.geows.testkit.RedisServer;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The whole compatibility kit on a real three-master Redis Cluster (sharded Pub/Sub): it found that
 * after a reconnect no shard channel came back (Lettuce re-subscribes them in one SSUBSCRIBE, refused
 * as CROSSSLOT), so a node stayed not-ready for good. Each node logs
 * in as its own ACL user, so one node can be cut off (its user disabled and its connections killed on
 * every master) while the others stay connected: cluster clients connect to every master directly, so
 * a proxy in front of one address could not isolate a node.
 */
class RedisClusterCompatibilityIntegrationTests extends BrokerCompatibilityKit {
    private static final String PASSWORD = "kit-password-of-this-cluster";
    private static RedisCluster cluster;
    /** The ACL users of this test's nodes. */
    private final java.util.Set<String> users = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void startCluster() {
        cluster = RedisCluster.start();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    /** Runs commands on every master. */
    private static void onEveryMaster(java.util.function.Consumer<io.lettuce.core.api.sync.RedisCommands<String, String>> commands) {
        for (RedisServer s : cluster.servers()) {
            RedisClient raw = RedisClient.create(RedisURI.create(s.uri()));
            try (StatefulRedisConnection<String, String> c = raw.connect()) {
                commands.accept(c.sync());
            } finally {
                raw.shutdown();
            }
        }
    }

    private static void enable(String user) {
        onEveryMaster(c -> c.aclSetuser(user, AclSetuserArgs.Builder.reset().on().addPassword(PASSWORD).allKeys()
                .allChannels().allCommands()));
    }

    private static String user(String nodeId) {
        return "kit-" + nodeId.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    @Override
    protected BrokerAdapter connect(String nodeId) {
        String user = user(nodeId);
        users.add(user);
        enable(user);
        String[] seeds = Arrays.stream(cluster.uris())
                .map(u -> u.replace("redis://", "redis://" + user + ":" + PASSWORD + "@")).toArray(String[]::new);
        return RedisBroker.builder()
                .cluster(seeds)
                .name(nodeId)
                .checkInterval(Duration.ofMillis(200))
                .commandTimeout(Duration.ofSeconds(2))
                .build();
    }

    @Override
    protected void failBroker() {
        cluster.servers().forEach(RedisServer::kill);
    }

    @Override
    protected void recoverBroker() {
        cluster.servers().forEach(RedisServer::start);
        cluster.awaitOk(Duration.ofSeconds(30));
        restoreUsers();
    }

    /** ACL users live in memory: after a restart the kit's users are made again (enabled). */
    private void restoreUsers() {
        users.forEach(RedisClusterCompatibilityIntegrationTests::enable);
    }

    @Override
    protected void isolate(String nodeId) {
        String user = user(nodeId);
        onEveryMaster(c -> {
            c.aclSetuser(user, AclSetuserArgs.Builder.off());
            c.clientKill(KillArgs.Builder.user(user));
        });
    }

    @Override
    protected void heal(String nodeId) {
        onEveryMaster(c -> c.aclSetuser(user(nodeId), AclSetuserArgs.Builder.on()));
    }

    @Override
    protected void publishAsHistory(String room, byte[] payload, long offset, String epoch, long previous) {
        // A raw SPUBLISH framed as the append script frames it (Redis offsets have no gaps: previous is implied).
        byte[] header = ("G1 " + offset + " " + epoch + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] framed = new byte[header.length + payload.length];
        System.arraycopy(header, 0, framed, 0, header.length);
        System.arraycopy(payload, 0, framed, header.length, payload.length);
        RedisClusterClient raw = RedisClusterClient.create(RedisURI.create(cluster.uris()[0]));
        try (StatefulRedisClusterConnection<byte[], byte[]> c = raw.connect(ByteArrayCodec.INSTANCE)) {
            c.sync().spublish(Topics.defaults().room(room).getBytes(StandardCharsets.UTF_8), framed);
        } finally {
            raw.shutdown();
        }
    }

    @Test
    @DisplayName("the cluster's address, as logs and messages show it, hides each node's password")
    void addressHidesThePassword() {
        try (RedisBroker b = (RedisBroker) connect("address")) {
            assertThat(b.address()).contains("kit-address:***@127.0.0.1").doesNotContain(PASSWORD);
        }
    }

    @Override
    protected void loseHistory() {
        cluster.servers().forEach(RedisServer::restart); // no persistence: the data is gone, the cluster layout stays
        cluster.awaitOk(Duration.ofSeconds(30));
        restoreUsers();
    }
}
