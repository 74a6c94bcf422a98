package io.geows.benchmarks;

import io.geows.Topics;
import io.geows.nats.NatsBroker;
import io.geows.spi.Subscription;
import io.geows.testkit.NatsServer;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import java.nio.charset.StandardCharsets;
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
 * Publish to receive through a real nats-server (JetStream on) on loopback, for the geows NATS
 * adapter and for raw jnats, in the same run: same server, payload and batching.
 *
 * <ul>
 * <li>{@code raw*}: jnats {@code publish} on one connection, a {@link Dispatcher} subscription on another.</li>
 * <li>{@code adapter*}: {@link NatsBroker#publish} to a topic a {@link NatsBroker#subscribe} listener holds.</li>
 * <li>{@code adapterHistory*}: {@code history().append}, the room-message path (a JetStream publish with
 *     a message id; the stream republishes it to the live subject with its sequence).</li>
 * </ul>
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
public class NatsBrokerBenchmark {
    static final int BATCH = 1000;
    private static final String RAW_SUBJECT = "bench.raw";

    private NatsServer nats;
    private byte[] payload;
    private Connection rawPublisher;
    private Connection rawSubscriber;
    private final Semaphore rawReceived = new Semaphore(0);

    private NatsBroker publisher;
    private NatsBroker subscriber;
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
        nats = NatsServer.builder().jetStream().start();
        payload = ("{\"k\":\"direct\",\"id\":\"m1\",\"from\":\"alice\",\"region\":\"us-east\",\"node\":\"n1\",\"ts\":1,\"data\":\"hi\"}")
                .getBytes(StandardCharsets.UTF_8);
        rawPublisher = Nats.connect(nats.uri());
        rawSubscriber = Nats.connect(nats.uri());
        Dispatcher d = rawSubscriber.createDispatcher(m -> rawReceived.release());
        d.subscribe(RAW_SUBJECT);
        rawSubscriber.flush(java.time.Duration.ofSeconds(5));

        publisher = NatsBroker.connect(nats.uri());
        subscriber = NatsBroker.connect(nats.uri());
        Topics topics = Topics.defaults();
        topic = topics.node("bench-sub");
        subscription = subscriber.subscribe(topic, m -> adapterReceived.release()).get(10, TimeUnit.SECONDS);
        historyRoom = "bench-room";
        historyTopic = topics.room(historyRoom);
        historySubscription = subscriber.subscribe(historyTopic, m -> {
            if (m.hasOffset()) {
                historyReceived.release();
            }
        }).get(10, TimeUnit.SECONDS);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        subscription.close();
        historySubscription.close();
        publisher.close();
        subscriber.close();
        rawPublisher.close();
        rawSubscriber.close();
        nats.close();
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
        for (int i = 0; i < BATCH; i++) {
            rawPublisher.publish(RAW_SUBJECT, payload);
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
        rawPublisher.publish(RAW_SUBJECT, payload);
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
