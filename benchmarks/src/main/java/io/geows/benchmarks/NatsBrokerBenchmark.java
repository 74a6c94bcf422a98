package io.geows.benchmarks;

import io.geows.nats.NatsBroker;
import io.geows.testkit.NatsServer;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import java.time.Duration;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The NATS adapter against raw jnats (see {@link AdapterBenchmark}), JetStream on; the history path
 * is a JetStream publish with a message id, republished by the stream to the room's live subject.
 */
@State(Scope.Benchmark)
public class NatsBrokerBenchmark extends AdapterBenchmark {
    private static final String RAW_SUBJECT = "bench.raw";

    private NatsServer nats;
    private Connection rawPublisher;
    private Connection rawSubscriber;
    private NatsBroker publisher;
    private NatsBroker subscriber;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        nats = NatsServer.builder().jetStream().start();
        rawPublisher = Nats.connect(nats.uri());
        rawSubscriber = Nats.connect(nats.uri());
        Dispatcher d = rawSubscriber.createDispatcher(m -> rawReceived.release());
        d.subscribe(RAW_SUBJECT);
        rawSubscriber.flush(Duration.ofSeconds(5));
        publisher = NatsBroker.connect(nats.uri());
        subscriber = NatsBroker.connect(nats.uri());
        useAdapters(publisher, subscriber);
    }

    @Override
    protected void rawPublish() {
        rawPublisher.publish(RAW_SUBJECT, payload);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        closeSubscriptions();
        publisher.close();
        subscriber.close();
        rawPublisher.close();
        rawSubscriber.close();
        nats.close();
    }
}
