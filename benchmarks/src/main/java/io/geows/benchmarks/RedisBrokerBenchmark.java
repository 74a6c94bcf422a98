package io.geows.benchmarks;

import io.geows.Topics;
import io.geows.redis.RedisBroker;
import io.geows.spi.Subscription;
import io.geows.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Publish to receive through a real redis-server on loopback, for the geows Redis adapter and for
 * raw Lettuce Pub/Sub, in the same run (same server, same payload, same batching), so the ratio is
 * what matters, not the absolute figure on a shared machine.
 *
 * <ul>
 * <li>{@code raw*}: Lettuce {@code PUBLISH} on one connection, {@code SUBSCRIBE} listener on another.</li>
 * <li>{@code adapter*}: {@link RedisBroker#publish} to a topic a {@link RedisBroker#subscribe} listener
 *     holds (what direct messages, broadcasts and presence events take).</li>
 * <li>{@code adapterHistory*}: {@code history().append} — the room-message path: one Lua script appends
 *     to the room's Stream, assigns the offset and publishes.</li>
 * </ul>
 * Throughput: a batch of {@value #BATCH} publishes in flight, then wait until all were received.
 * Latency: one message, published and awaited (sample time gives the percentiles).
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
public class RedisBrokerBenchmark {
    static final int BATCH = 1000;
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private RedisServer redis;
    private byte[] payload;

    private RedisClient rawClient;
    private StatefulRedisConnection<String, byte[]> rawPublisher;
    private StatefulRedisPubSubConnection<String, byte[]> rawSubscriber;
    private final Semaphore rawReceived = new Semaphore(0);
    private static final String RAW_CHANNEL = "bench.raw";

    private RedisBroker publisher;
    private RedisBroker subscriber;
    private Subscription subscription;
    private Subscription historySubscription;
    private final Semaphore adapterReceived = new Semaphore(0);
    private final Semaphore historyReceived = new Semaphore(0);
    private String topic;
    private String historyRoom;
    private String historyTopic;
    private long seq;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        redis = RedisServer.launch();
        // 100 bytes, a typical chat message envelope
        payload = ("{\"k\":\"direct\",\"id\":\"m1\",\"from\":\"alice\",\"region\":\"us-east\",\"node\":\"n1\",\"ts\":1,\"data\":\"hi\"}")
                .getBytes(StandardCharsets.UTF_8);

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
        Topics topics = Topics.defaults();
        topic = topics.node("bench-sub");
        subscription = subscriber.subscribe(topic, m -> adapterReceived.release()).get(10, TimeUnit.SECONDS);
        historyRoom = "bench-room";
        historyTopic = topics.room(historyRoom);
        historySubscription = subscriber.subscribe(historyTopic, m -> historyReceived.release()).get(10, TimeUnit.SECONDS);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        subscription.close();
        historySubscription.close();
        publisher.close();
        subscriber.close();
        rawSubscriber.close();
        rawPublisher.close();
        rawClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        redis.close();
    }

    private static void await(Semaphore received, int n) throws InterruptedException {
        if (!received.tryAcquire(n, 30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("messages lost: " + received.availablePermits() + " of " + n + " arrived");
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH)
    public void rawThroughput() throws InterruptedException {
        var async = rawPublisher.async();
        for (int i = 0; i < BATCH; i++) {
            async.publish(RAW_CHANNEL, payload);
        }
        await(rawReceived, BATCH);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH)
    public void adapterThroughput() throws InterruptedException {
        for (int i = 0; i < BATCH; i++) {
            publisher.publish(topic, payload);
        }
        await(adapterReceived, BATCH);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH)
    public void adapterHistoryThroughput() throws InterruptedException {
        for (int i = 0; i < BATCH; i++) {
            publisher.history().append(historyRoom, "k" + (seq++), historyTopic, payload);
        }
        await(historyReceived, BATCH);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void rawLatency() throws InterruptedException {
        rawPublisher.async().publish(RAW_CHANNEL, payload);
        await(rawReceived, 1);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void adapterLatency() throws InterruptedException {
        publisher.publish(topic, payload);
        await(adapterReceived, 1);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void adapterHistoryLatency() throws InterruptedException {
        publisher.history().append(historyRoom, "k" + (seq++), historyTopic, payload);
        await(historyReceived, 1);
    }
}
