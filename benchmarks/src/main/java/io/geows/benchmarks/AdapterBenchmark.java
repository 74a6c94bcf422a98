package io.geows.benchmarks;

import io.geows.Topics;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Publish → receive through a real broker on loopback, for a geows adapter and for the raw client
 * library, in the same run: same server, 100-byte payload, batching. Subclasses start the broker, the
 * raw client and the two adapters (one publishing, one subscribed) and implement {@link #rawPublish()}.
 *
 * <ul>
 * <li>{@code raw*}: the raw client publishes on one connection, a listener on another receives.</li>
 * <li>{@code adapter*}: {@code BrokerAdapter.publish} to a topic a {@code subscribe} listener holds
 *     (direct messages, broadcasts and presence events take this path).</li>
 * <li>{@code adapterHistory*}: {@code History.append}, the room-message path.</li>
 * </ul>
 * Throughput: a batch of {@value #BATCH} publishes in flight, then wait until all were received.
 * Latency: one message published and awaited (sample time gives the percentiles).
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
public abstract class AdapterBenchmark {
    static final int BATCH = 1000;
    private static final String HISTORY_ROOM = "bench-room";

    /** A typical 100-byte message envelope. */
    protected final byte[] payload = ("{\"k\":\"direct\",\"id\":\"m1\",\"from\":\"alice\",\"region\":\"us-east\",\"node\":\"n1\",\"ts\":1,\"data\":\"hi\"}")
            .getBytes(StandardCharsets.UTF_8);
    /** Released once per message the raw listener receives. */
    protected final Semaphore rawReceived = new Semaphore(0);

    private final Semaphore adapterReceived = new Semaphore(0);
    private final Semaphore historyReceived = new Semaphore(0);
    private BrokerAdapter publisher;
    private Subscription subscription;
    private Subscription historySubscription;
    private String topic;
    private String historyTopic;
    private long seq;

    /** Publishes {@link #payload} with the raw client (asynchronously where the client allows). */
    protected abstract void rawPublish();

    /** Wires the adapters: call from the subclass's trial setup once the broker runs. */
    protected void useAdapters(BrokerAdapter publisher, BrokerAdapter subscriber) throws Exception {
        this.publisher = publisher;
        Topics topics = Topics.defaults();
        topic = topics.node("bench-sub");
        historyTopic = topics.room(HISTORY_ROOM);
        subscription = subscriber.subscribe(topic, m -> adapterReceived.release()).get(10, TimeUnit.SECONDS);
        historySubscription = subscriber.subscribe(historyTopic, m -> {
            if (m.hasOffset()) {
                historyReceived.release();
            }
        }).get(10, TimeUnit.SECONDS);
    }

    /** Closes the subscriptions: call from the subclass's teardown before closing the adapters. */
    protected void closeSubscriptions() {
        subscription.close();
        historySubscription.close();
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
            rawPublish();
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
            publisher.history().append(HISTORY_ROOM, "k" + (seq++), historyTopic, payload);
        }
        await(historyReceived, BATCH);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void rawLatency() throws InterruptedException {
        rawPublish();
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
        publisher.history().append(HISTORY_ROOM, "k" + (seq++), historyTopic, payload);
        await(historyReceived, 1);
    }
}
