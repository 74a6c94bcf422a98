package io.geows.benchmarks;

import io.geows.Envelope;
import io.geows.internal.ServerFrames;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One room message to N local members: what the node does (encode the frame once, hand the same
 * bytes to every session as a WebSocket text frame) against encoding it again per recipient. The
 * socket write itself is left out: it is the same in both and belongs to the end-to-end tool.
 * (It reaches {@code io.geows.internal} for the frame encoder, internal and measured alone here.)
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class FanOutBenchmark {
    @Param({"10", "100", "1000"})
    public int members;

    private Envelope envelope;

    @Setup
    public void setUp() {
        envelope = new Envelope(Envelope.Kind.ROOM, "m-1", "lobby", null, "alice", "us-east", "us-east-1",
                System.currentTimeMillis(), "{\"text\":\"" + "x".repeat(80) + "\"}");
    }

    private static void queue(byte[] bytes, Blackhole bh) {
        bh.consume(io.netty.buffer.Unpooled.wrappedBuffer(bytes)); // what a connection's queue holds, as Netty sees it
    }

    /** What the node does. */
    @Benchmark
    public void encodeOnceSendToAll(Blackhole bh) {
        byte[] bytes = ServerFrames.message(envelope, 7, "ep");
        for (int i = 0; i < members; i++) {
            queue(bytes, bh);
        }
    }

    /** The naive way, for comparison. */
    @Benchmark
    public void encodePerRecipient(Blackhole bh) {
        for (int i = 0; i < members; i++) {
            queue(ServerFrames.message(envelope, 7, "ep"), bh);
        }
    }
}
