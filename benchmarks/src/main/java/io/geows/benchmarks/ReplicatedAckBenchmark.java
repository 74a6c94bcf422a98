package io.geows.benchmarks;

import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.nats.NatsBroker;
import io.geows.redis.RedisBroker;
import io.geows.spi.BrokerAdapter;
import io.geows.testkit.NatsCluster;
import io.geows.testkit.Ports;
import io.geows.testkit.RedisSentinelGroup;
import java.time.Duration;
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
 * What an acknowledgement that survives a region's loss costs: the time from {@code GeoWsNode.publish}
 * to its position (history has the message and, with {@code quorum}, another region too), with three
 * regions whose links carry {@code latencyMs} one way (the testkit's fault proxies).
 * <ul>
 *   <li>{@code redis}: a primary and two replicas behind Sentinel; {@code local} is
 *       {@code replicasToAck(0)} (acknowledged by the primary), {@code quorum} is
 *       {@code replicasToAck(1)} (WAIT: a replica in another region has it).</li>
 *   <li>{@code nats}: one JetStream cluster stretched over the three regions; {@code local} is an R1
 *       history stream (acknowledged by the server that holds it), {@code quorum} R3 (a majority of
 *       regions stored it).</li>
 * </ul>
 * {@code nodeIn}: {@code holder} puts the node in the region that holds the history (the primary, the
 * stream leader), talking to it directly; {@code other} puts it in another region, across one link.
 * One publisher waiting for each acknowledgement (group commit does not help a lone publisher).
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ReplicatedAckBenchmark {
    @Param({"redis", "nats"})
    public String broker;

    @Param({"local", "quorum"})
    public String ack;

    @Param({"holder", "other"})
    public String nodeIn;

    @Param({"40"})
    public int latencyMs;

    private RedisSentinelGroup redis;
    private NatsCluster nats;
    private GeoWsNode node;
    private final AtomicLong ids = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() {
        Duration latency = Duration.ofMillis(latencyMs);
        boolean quorum = ack.equals("quorum");
        BrokerAdapter adapter;
        if (broker.equals("redis")) {
            redis = RedisSentinelGroup.start(3, latency);
            int primary = redis.primaryRegion();
            // in the primary's region a node reaches it directly; elsewhere across a link (its proxy)
            String address = nodeIn.equals("holder") ? Ports.LOOPBACK + ":" + redis.server(primary).port()
                    : redis.address(primary);
            adapter = RedisBroker.builder().uri("redis://" + address).replicasToAck(quorum ? 1 : 0)
                    .replicaAckTimeout(Duration.ofSeconds(5)).commandTimeout(Duration.ofSeconds(5)).build();
        } else {
            nats = NatsCluster.builder().regions("region-0", "region-1", "region-2").crossRegionLatency(latency).start();
            NatsBroker.Builder options = NatsBroker.builder().replicas(quorum ? 3 : 1)
                    .requestTimeout(Duration.ofSeconds(5));
            // the first connection creates the stream; the cluster places it (and its leader)
            options.url(nats.server("region-0").uri()).build().close();
            String holder = nats.streamLeaderRegion(NatsBroker.DEFAULT_STREAM).orElseThrow();
            String region = nats.regions().stream().filter(r -> nodeIn.equals("holder") == r.equals(holder)).findFirst()
                    .orElseThrow();
            adapter = options.url(nats.server(region).uri()).build();
        }
        node = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("bench").nodeId("bench-1")
                .host(Ports.LOOPBACK).port(0).broker(adapter).drainTimeout(Duration.ZERO).build().start();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        node.close();
        if (redis != null) {
            redis.close();
        }
        if (nats != null) {
            nats.close();
        }
    }

    /** One publish, until its position. */
    @Benchmark
    public Object publish() {
        return node.publish("ledger", "m" + ids.incrementAndGet(), "{\"amount\":42}").join();
    }
}
