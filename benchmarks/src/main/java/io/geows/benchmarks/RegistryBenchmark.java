package io.geows.benchmarks;

import io.geows.internal.DefaultSessionRegistry;
import io.geows.spi.Session;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The default {@code SessionRegistry} under concurrent join/leave and member lookups (2 threads).
 * (It reaches {@code io.geows.internal}: the default registry is internal, and measured alone here.)
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(2)
public class RegistryBenchmark {
    private static final int SESSIONS = 10_000;
    private static final int ROOMS = 100;

    private DefaultSessionRegistry registry;
    private Session[] sessions;

    /** A session stand-in: the registry only needs identity. */
    record FakeSession(String id, String user) implements Session {
        @Override
        public Set<String> rooms() {
            return Set.of();
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return null;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close(int code, String reason) {
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        registry = new DefaultSessionRegistry();
        sessions = new Session[SESSIONS];
        for (int i = 0; i < SESSIONS; i++) {
            sessions[i] = new FakeSession("s" + i, "u" + (i % 5000));
            registry.register(sessions[i]);
        }
    }

    @Benchmark
    public boolean joinThenLeave() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        Session s = sessions[r.nextInt(SESSIONS)];
        String room = "room-" + r.nextInt(ROOMS);
        registry.join(s, room);
        return registry.leave(s, room);
    }

    @Benchmark
    public void membersOfARoom(Blackhole bh) {
        for (Session s : registry.members("room-" + ThreadLocalRandom.current().nextInt(ROOMS))) {
            bh.consume(s);
        }
    }
}
