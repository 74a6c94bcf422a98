package io.geows.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Three (or more) real Kafka brokers in one KRaft cluster on loopback, each broker and controller in
 * one process (a quorum of three voters), internal topics replicated three ways: for tests that kill
 * a partition's leader. Brokers are {@link KafkaServer}s: each can be killed and started again on its
 * ports with its data.
 *
 * <pre>{@code
 * try (KafkaCluster kafka = KafkaCluster.start(3)) {
 *     props.put("bootstrap.servers", kafka.bootstrapServers());   // all three
 *     kafka.broker(leaderId).kill();
 * }
 * }</pre>
 *
 * @since 0.2.0
 */
public final class KafkaCluster implements AutoCloseable {
    private final List<KafkaServer> brokers;

    private KafkaCluster(List<KafkaServer> brokers) {
        this.brokers = List.copyOf(brokers);
    }

    /**
     * Formats and starts {@code size} brokers together (each waits for a quorum of controllers) and
     * waits until every one answers.
     *
     * @param size at least 3 (a quorum that survives the loss of one)
     * @throws ServerProcessException if a broker does not start (its log ends the message)
     */
    public static KafkaCluster start(int size) {
        if (size < 3) {
            throw new IllegalArgumentException("a Kafka cluster here has at least 3 brokers, was " + size);
        }
        int[] ports = new int[size];
        int[] controllerPorts = new int[size];
        StringBuilder voters = new StringBuilder();
        for (int i = 0; i < size; i++) {
            ports[i] = Ports.freePort();
            controllerPorts[i] = Ports.freePort();
            voters.append(i == 0 ? "" : ",").append(i + 1).append('@').append(Ports.LOOPBACK).append(':').append(controllerPorts[i]);
        }
        String clusterId = null;
        List<KafkaServer> created = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                KafkaServer s = KafkaServer.builder().member(i + 1, ports[i], controllerPorts[i], voters.toString(), clusterId, 3)
                        .property("min.insync.replicas", "2").property("unclean.leader.election.enable", "false")
                        .property("default.replication.factor", "3")
                        // a killed broker is fenced (its partitions get new leaders) after 3 s, not 9 s
                        .property("broker.session.timeout.ms", "3000").property("broker.heartbeat.interval.ms", "500")
                        // one broker per "region": replicas spread over racks
                        .property("broker.rack", "region-" + i)
                        .create();
                clusterId = s.clusterId();
                created.add(s);
            }
        } catch (RuntimeException e) {
            created.forEach(KafkaServer::close);
            throw e;
        }
        Map<Integer, java.util.function.Supplier<KafkaServer>> starts = new java.util.LinkedHashMap<>();
        for (KafkaServer s : created) {
            starts.put(s.nodeId(), () -> {
                s.start();
                return s;
            });
        }
        try {
            Together.start(starts);
        } catch (RuntimeException e) {
            Together.closeAll(created); // formatted but not started too
            throw e;
        }
        return new KafkaCluster(created);
    }

    /** The brokers, node ids 1, 2, 3, ... in order. */
    public List<KafkaServer> brokers() {
        return brokers;
    }

    /**
     * The broker with this node id.
     *
     * @throws IllegalArgumentException if there is none
     */
    public KafkaServer broker(int nodeId) {
        return brokers.stream().filter(b -> b.nodeId() == nodeId).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no broker " + nodeId + " in " + brokers));
    }

    /** {@code bootstrap.servers} naming every broker. */
    public String bootstrapServers() {
        return brokers.stream().map(KafkaServer::bootstrapServers).collect(Collectors.joining(","));
    }

    /** {@code kafka://} and every broker, the form geows takes. */
    public String uri() {
        return "kafka://" + bootstrapServers();
    }

    /** Stops every broker and deletes its data. */
    @Override
    public void close() {
        Together.closeAll(brokers);
    }

    @Override
    public String toString() {
        return "KafkaCluster" + brokers;
    }
}
