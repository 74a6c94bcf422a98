package io.geows.benchmarks;

import io.geows.redis.RedisBroker;
import io.geows.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The Redis adapter against raw Lettuce Pub/Sub (see {@link AdapterBenchmark}); the history path is
 * one Lua script that appends to the room's Stream, assigns the offset and publishes.
 */
@State(Scope.Benchmark)
public class RedisBrokerBenchmark extends AdapterBenchmark {
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    private static final String RAW_CHANNEL = "bench.raw";

    private RedisServer redis;
    private RedisClient rawClient;
    private StatefulRedisConnection<String, byte[]> rawPublisher;
    private StatefulRedisPubSubConnection<String, byte[]> rawSubscriber;
    private RedisBroker publisher;
    private RedisBroker subscriber;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        redis = RedisServer.launch();
        rawClient = RedisClient.create(redis.uri());
        rawPublisher = rawClient.connect(CODEC);
        rawSubscriber = rawClient.connectPubSub(CODEC);
        rawSubscriber.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, byte[] message) {
                rawReceived.release();
            }
        });
        rawSubscriber.sync().subscribe(RAW_CHANNEL);
        publisher = RedisBroker.builder().uri(redis.uri()).name("bench-pub").build();
        subscriber = RedisBroker.builder().uri(redis.uri()).name("bench-sub").build();
        useAdapters(publisher, subscriber);
    }

    @Override
    protected void rawPublish() {
        rawPublisher.async().publish(RAW_CHANNEL, payload);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        closeSubscriptions();
        publisher.close();
        subscriber.close();
        rawSubscriber.close();
        rawPublisher.close();
        rawClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        redis.close();
    }
}
