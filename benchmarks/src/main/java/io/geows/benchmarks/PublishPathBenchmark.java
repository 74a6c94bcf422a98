package io.geows.benchmarks;

import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.NodeLimits;
import io.geows.NodeObserver;
import io.geows.PresencePolicy;
import io.geows.RoomAuthorizer;
import io.geows.Topics;
import io.geows.internal.BrokerSeal;
import io.geows.internal.LoopbackSessions;
import io.geows.internal.NodeEngine;
import io.geows.memory.InMemoryBroker;
import io.geows.spi.Router;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One room message through a node, published by the application ({@code GeoWsNode.publish}) or by a
 * client ({@code publish} frame), same size, same room with the same two members, on the in-memory
 * broker with signed broker messages: from the call (or the frame) to the acknowledgement, which comes
 * after history assigned the offset. Both take one pipeline after the frame is decoded; the server's
 * publish should cost no more than the client's. Sessions are loopback (no socket): this is the node's
 * own work.
 * (It reaches {@code io.geows.internal} for loopback sessions and the engine: the public API has no
 * socket-free session.)
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PublishPathBenchmark {
    @Param({"100", "1000"})
    public int dataBytes;

    private ScheduledExecutorService scheduler;
    private NodeEngine engine;
    private LoopbackSessions.Session alice;
    private LoopbackSessions.Session bob;
    private final AtomicLong acks = new AtomicLong();
    private final AtomicLong ids = new AtomicLong();
    private String data;
    private String room;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        InMemoryBroker broker = new InMemoryBroker();
        engine = new NodeEngine(new NodeEngine.Parts("us-east", "bench-1", null, Topics.defaults(),
                io.geows.internal.Brokers.single(broker.connect("bench-1")),
                new io.geows.internal.DefaultSessionRegistry(), Router.defaults(), Authenticator.insecureTokenAsUserId(),
                RoomAuthorizer.allowAll(),
                new BrokerSeal("k1", Map.of("k1", "bench-inter-region-secret-32-bytes!".getBytes(StandardCharsets.UTF_8))),
                NodeLimits.builder().messagesPerSecond(0).build(), PresencePolicy.defaults(), Duration.ofSeconds(15),
                scheduler, NodeObserver.NONE, List.of(), null, Map.of(), Runnable::run, GeoWsNode.DEFAULT_HOOK_TIMEOUT));
        engine.start().get(10, TimeUnit.SECONDS);
        LoopbackSessions sessions = new LoopbackSessions(engine);
        alice = sessions.open(frame -> {
            if (frame.length > 12 && frame[9] == 'a' && frame[10] == 'c' && frame[11] == 'k') { // {"type":"ack"
                acks.incrementAndGet();
            }
        });
        bob = sessions.open(frame -> { });
        room = "lobby";
        for (LoopbackSessions.Session s : List.of(alice, bob)) {
            s.send("{\"type\":\"hello\",\"token\":\"" + (s == alice ? "alice" : "bob") + "\",\"protocol\":1}");
            awaitFrames(s, 1); // welcome
            s.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"id\":\"j\"}");
            awaitFrames(s, 2); // joined
        }
        data = "\"" + "x".repeat(Math.max(0, dataBytes - 2)) + "\"";
    }

    private static void awaitFrames(LoopbackSessions.Session s, long n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (s.framesOut() < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no answer from the node");
            }
            Thread.sleep(1);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        alice.close();
        bob.close();
        engine.shutdown(Duration.ofSeconds(1));
        scheduler.shutdownNow();
    }

    /** The application publishes and waits for the position (the offset history gave it). */
    @Benchmark
    public Object serverPublish() {
        return engine.ops().publish(room, "s" + ids.incrementAndGet(), data).join();
    }

    /** A client's publish frame, decoded, checked, published; returns when the node sent the ack. */
    @Benchmark
    public long clientPublish() {
        long before = acks.get();
        alice.send("{\"type\":\"publish\",\"room\":\"" + room + "\",\"id\":\"c" + ids.incrementAndGet()
                + "\",\"data\":" + data + "}");
        while (acks.get() == before) {
            Thread.onSpinWait();
        }
        return before;
    }
}
