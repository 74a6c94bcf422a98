package io.geows.benchmarks;

import io.geows.Envelope;
import io.geows.internal.BrokerCodec;
import io.geows.internal.ClientFrame;
import io.geows.internal.ClientFrameDecoder;
import io.geows.internal.FrameException;
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
 * The codec on the hot path: decoding and validating a client {@code publish} frame, encoding the
 * {@code message} frame a room message becomes (once per node), and the broker envelope both ways.
 * (It reaches {@code io.geows.internal}: the codec is internal, and measured alone here.)
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CodecBenchmark {
    @Param({"100", "1000"})
    public int payloadBytes;

    private ClientFrameDecoder decoder;
    private String publishFrame;
    private Envelope envelope;
    private byte[] brokerBytes;

    @Setup
    public void setUp() {
        decoder = new ClientFrameDecoder(32, 32 * 1024);
        String text = "x".repeat(Math.max(1, payloadBytes - 12));
        publishFrame = "{\"type\":\"publish\",\"room\":\"lobby\",\"id\":\"m-12345\",\"data\":{\"text\":\"" + text + "\"}}";
        envelope = new Envelope(Envelope.Kind.ROOM, "m-12345", "lobby", null, "alice", "us-east", "us-east-1",
                System.currentTimeMillis(), "{\"text\":\"" + text + "\"}");
        brokerBytes = BrokerCodec.encode(envelope);
    }

    @Benchmark
    public ClientFrame decodeClientPublish() throws FrameException {
        return decoder.decode(publishFrame);
    }

    @Benchmark
    public byte[] encodeMessageFrame() {
        return ServerFrames.message(envelope, 42, "ab12cd34");
    }

    @Benchmark
    public byte[] encodeBrokerEnvelope() {
        return BrokerCodec.encode(envelope);
    }

    @Benchmark
    public void decodeBrokerEnvelope(Blackhole bh) {
        bh.consume(BrokerCodec.decode(brokerBytes));
    }
}
