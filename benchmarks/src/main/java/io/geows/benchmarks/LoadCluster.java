package io.geows.benchmarks;

import io.geows.testkit.KafkaServer;
import io.geows.testkit.NatsServer;
import io.geows.testkit.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the load runs against: either a broker ({@code redis-server}, {@code nats-server} with
 * JetStream, or a one-node KRaft Kafka broker, through geows-testkit on a free loopback port) and one example server process per region
 * that this tool starts and stops, or regions that already run ({@code --targets}). Knows the process
 * ids to measure.
 */
final class LoadCluster implements AutoCloseable {
    /** The two regions the tool starts. */
    static final List<String> REGIONS = List.of("us-east", "eu-west");

    /** A measured process: its role and pid. */
    record Measured(String name, long pid) {
    }

    private final String broker;
    private final AutoCloseable brokerProcess;
    private final List<ServerNode> servers;
    private final List<LoadClients.Region> regions;
    private final List<Measured> serverPids;
    private final Measured brokerPid;
    private final Map<String, String> environment;

    private LoadCluster(String broker, AutoCloseable brokerProcess, List<ServerNode> servers, List<LoadClients.Region> regions,
                        List<Measured> serverPids, Measured brokerPid, Map<String, String> environment) {
        this.broker = broker;
        this.brokerProcess = brokerProcess;
        this.servers = servers;
        this.regions = regions;
        this.serverPids = serverPids;
        this.brokerPid = brokerPid;
        this.environment = environment;
    }

    /** Regions that already run; {@code pids} (one per target, may be empty) are measured when given. */
    static LoadCluster targets(List<LoadClients.Region> regions, List<Long> pids) {
        List<Measured> measured = new ArrayList<>();
        for (int i = 0; i < pids.size(); i++) {
            measured.add(new Measured(i < regions.size() ? regions.get(i).name() : "server-" + i, pids.get(i)));
        }
        return new LoadCluster("targets", null, List.of(), List.copyOf(regions), measured, null, Map.of());
    }

    /**
     * Starts {@code broker} ({@code redis}, {@code nats} or {@code kafka}) and the two regions' servers, in parallel.
     * The servers get {@code GEOWS_MAX_MESSAGES_PER_SECOND=0} (no per-session rate limit) and one shared
     * inter-region key.
     */
    static LoadCluster start(String broker, String natsStorage, ServerNode.Launcher launcher) throws Exception {
        return start(broker, natsStorage, launcher, 1);
    }

    /**
     * As {@link #start(String, String, ServerNode.Launcher)}, with {@code nodesPerRegion} servers in each
     * region ({@code <region>-1}, {@code <region>-2}, ...), in region order.
     */
    static LoadCluster start(String broker, String natsStorage, ServerNode.Launcher launcher, int nodesPerRegion)
            throws Exception {
        AutoCloseable process;
        String uri;
        long pid;
        switch (broker) {
            case "redis" -> {
                RedisServer r = RedisServer.launch();
                process = r;
                uri = r.uri();
                pid = r.pid();
            }
            case "nats" -> {
                NatsServer n = NatsServer.builder().jetStream().start();
                process = n;
                uri = n.uri();
                pid = n.pid();
            }
            case "kafka" -> {
                KafkaServer k = KafkaServer.launch(); // KRaft, its own JVM from this jar's Kafka classes
                process = k;
                uri = k.uri();
                pid = k.pid();
            }
            default -> throw new IllegalArgumentException("--broker must be redis, nats or kafka, was '" + broker + "'");
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Map<String, String> env = new LinkedHashMap<>(launcher.environment());
        env.put("GEOWS_MAX_MESSAGES_PER_SECOND", "0");
        if (broker.equals("nats")) {
            env.put("GEOWS_NATS_STORAGE", natsStorage);
        }
        env.put("GEOWS_INTER_REGION_KEYS", "k1:" + Base64.getEncoder().encodeToString(key));
        ServerNode.Launcher l = launcher.withEnvironment(env);
        List<ServerNode> servers = new ArrayList<>();
        try {
            List<java.util.concurrent.CompletableFuture<ServerNode>> starting = new ArrayList<>();
            for (String region : REGIONS) {
                for (int k = 1; k <= nodesPerRegion; k++) {
                    String nodeId = region + "-" + k;
                    starting.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return l.launch(region, nodeId, uri);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException(e);
                        }
                    }));
                }
            }
            Exception failure = null;
            for (var f : starting) {
                try {
                    servers.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    failure = e.getCause() instanceof Exception x ? x : e;
                }
            }
            if (failure != null) {
                throw failure;
            }
        } catch (Exception e) {
            servers.forEach(ServerNode::close);
            process.close();
            throw e;
        }
        List<LoadClients.Region> regions = new ArrayList<>();
        List<Measured> pids = new ArrayList<>();
        for (ServerNode s : servers) {
            regions.add(new LoadClients.Region(s.region(), s.ws()));
            pids.add(new Measured(s.nodeId(), s.pid()));
        }
        Map<String, String> shown = new LinkedHashMap<>(env);
        shown.put("GEOWS_INTER_REGION_KEYS", "k1:<32 random bytes, base64>");
        return new LoadCluster(broker, process, servers, regions, pids, new Measured(broker + "-server", pid), shown);
    }

    String broker() {
        return broker;
    }

    /** The started servers, in {@link #REGIONS} order (empty for targets). */
    List<ServerNode> nodes() {
        return servers;
    }

    List<LoadClients.Region> regions() {
        return regions;
    }

    List<Measured> servers() {
        return serverPids;
    }

    /** The broker process, null when not started here. */
    Measured brokerProcess() {
        return brokerPid;
    }

    /** The environment given to the servers (secrets replaced). */
    Map<String, String> environment() {
        return environment;
    }

    /** The started servers' logs, for error messages. */
    List<String> logs() {
        List<String> l = new ArrayList<>();
        for (ServerNode s : servers) {
            l.add(s.log().toString());
        }
        return l;
    }

    /** Whether every started server still runs. */
    boolean serversAlive() {
        return servers.stream().allMatch(ServerNode::isAlive);
    }

    @Override
    public void close() throws Exception {
        servers.parallelStream().forEach(ServerNode::close);
        if (brokerProcess != null) {
            brokerProcess.close();
        }
    }
}
