package io.geows.redis;

import io.geows.Topics;
import io.geows.spi.BrokerAdapter;
import io.geows.testkit.BrokerCompatibilityKit;
import io.geows.testkit.FaultProxy;
import io.geows.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The compatibility kit on a real redis-server. Each node reaches Redis through its own fault proxy,
 * so one node can be cut off while the others stay connected.
 */
class RedisBrokerCompatibilityIntegrationTests extends BrokerCompatibilityKit {
    private static RedisServer redis;
    private final Map<String, FaultProxy> proxies = new ConcurrentHashMap<>();

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.launch();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Override
    protected BrokerAdapter connect(String nodeId) {
        FaultProxy proxy = closeLater(FaultProxy.start("127.0.0.1", redis.port()));
        proxies.put(nodeId, proxy);
        return RedisBroker.builder()
                .uri("redis://127.0.0.1:" + proxy.port())
                .name(nodeId)
                .checkInterval(Duration.ofMillis(200))
                .commandTimeout(Duration.ofSeconds(2))
                .build();
    }

    @Override
    protected void failBroker() {
        redis.kill();
    }

    @Override
    protected void recoverBroker() {
        redis.start();
    }

    @Override
    protected void isolate(String nodeId) {
        FaultProxy p = proxies.get(nodeId);
        p.setRefuseConnections(true);
        p.cutConnections();
    }

    @Override
    protected void heal(String nodeId) {
        proxies.get(nodeId).setRefuseConnections(false);
    }

    @Override
    protected void publishAsHistory(String room, byte[] payload, long offset, String epoch, long previous) {
        // A raw PUBLISH framed as the append script frames it (Redis offsets have no gaps: previous is implied).
        byte[] header = ("G1 " + offset + " " + epoch + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] framed = new byte[header.length + payload.length];
        System.arraycopy(header, 0, framed, 0, header.length);
        System.arraycopy(payload, 0, framed, header.length, payload.length);
        RedisClient raw = RedisClient.create(redis.uri());
        try (StatefulRedisConnection<byte[], byte[]> c = raw.connect(ByteArrayCodec.INSTANCE)) {
            c.sync().publish(Topics.defaults().room(room).getBytes(StandardCharsets.UTF_8), framed);
        } finally {
            raw.shutdown();
        }
    }

    @Override
    protected void loseHistory() {
        redis.restart(); // no persistence: everything is gone, as after a crash of a cache-only Redis
    }
}
