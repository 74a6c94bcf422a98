package io.geows.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One NATS cluster <em>stretched</em> over regions: a {@code nats-server} with JetStream per region,
 * all in one cluster joined by routes, so a stream with three replicas keeps one replica in each
 * region and survives the loss of any one of them (the JetStream metadata group and each stream's
 * group keep a majority). Each server's route port sits behind a {@link FaultProxy}, and every route
 * goes through the proxy of the server it connects to (the servers advertise the proxies), so
 * {@link Builder#crossRegionLatency(Duration)} delays everything that crosses regions, while a
 * region's nodes talk to their own server directly.
 *
 * <pre>{@code
 * try (NatsCluster nats = NatsCluster.builder().regions("us", "eu", "ap")
 *         .crossRegionLatency(Duration.ofMillis(40)).start()) {
 *     connect(nats.server("eu").uri());
 *     String leader = nats.streamLeaderRegion("GEOWS").orElseThrow();
 *     nats.killRegion(leader);          // SIGKILL; the others elect new leaders
 *     nats.restartRegion(leader);       // same ports and data: it catches up by itself
 * }
 * }</pre>
 *
 * <p>Thread-safe; {@link #close()} stops every server and proxy.
 *
 * @since 0.2.0
 */
public final class NatsCluster implements AutoCloseable {
    /** The name of the one cluster: {@value}. */
    public static final String CLUSTER_NAME = "geows";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, NatsServer> servers;
    private final Map<String, FaultProxy> proxies;

    private NatsCluster(Map<String, NatsServer> servers, Map<String, FaultProxy> proxies) {
        this.servers = Collections.unmodifiableMap(servers);
        this.proxies = Collections.unmodifiableMap(proxies);
    }

    /**
     * Starts a cluster over these regions without added latency.
     *
     * @param regions at least three distinct names (a majority must survive the loss of one)
     * @return the running cluster; close it when done
     */
    public static NatsCluster start(String... regions) {
        return builder().regions(regions).start();
    }

    /** Settings for a cluster. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The server of a region.
     *
     * @throws IllegalArgumentException if there is no such region
     */
    public NatsServer server(String region) {
        NatsServer s = servers.get(region);
        if (s == null) {
            throw new IllegalArgumentException("no region '" + region + "'; regions are " + servers.keySet());
        }
        return s;
    }

    /** The regions, in the order they were given. */
    public List<String> regions() {
        return List.copyOf(servers.keySet());
    }

    /** The one-way delay added to every route between regions. */
    public Duration crossRegionLatency() {
        return proxies.values().iterator().next().latency();
    }

    /** Changes the one-way delay added to every route between regions, from now on. */
    public void setCrossRegionLatency(Duration latency) {
        proxies.values().forEach(p -> p.setLatency(latency));
    }

    /**
     * The region whose server leads the stream (in the default account), as a running server's
     * monitoring endpoint reports it; empty while there is none (an election) or the stream does not
     * exist.
     */
    public Optional<String> streamLeaderRegion(String stream) {
        for (var e : servers.entrySet()) {
            if (!e.getValue().isRunning()) {
                continue;
            }
            JsonNode jsz = monitor(e.getValue(), "/jsz?streams=true&config=true");
            if (jsz == null) {
                continue;
            }
            for (JsonNode account : jsz.path("account_details")) {
                for (JsonNode s : account.path("stream_detail")) {
                    if (s.path("name").asText().equals(stream)) {
                        return regionOfServer(s.path("cluster").path("leader").asText(""));
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** The region whose server leads the JetStream metadata group, if a running server knows one. */
    public Optional<String> metaLeaderRegion() {
        for (NatsServer s : servers.values()) {
            if (!s.isRunning()) {
                continue;
            }
            JsonNode jsz = monitor(s, "/jsz");
            if (jsz != null) {
                Optional<String> r = regionOfServer(jsz.path("meta_cluster").path("leader").asText(""));
                if (r.isPresent()) {
                    return r;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Kills a region's server (SIGKILL), as when a region's machines die: its routes close, and new
     * routes to it are refused. (A silent partition, where connections hang instead, is
     * {@link #isolateRegion(String)}.)
     */
    public void killRegion(String region) {
        server(region).kill();
    }

    /**
     * Cuts a region off without killing anything, as a network partition would: every byte to and
     * from its route proxy is dropped and new routes to it are accepted but never answered. The
     * region's own clients still reach its server. Undo with {@link #reconnectRegion(String)}.
     */
    public void isolateRegion(String region) {
        server(region);
        proxies.get(region).blackhole(true);
    }

    /** Ends {@link #isolateRegion(String)}: routes to the region can be made again. */
    public void reconnectRegion(String region) {
        server(region);
        proxies.get(region).blackhole(false);
        proxies.get(region).cutConnections(); // routes opened during the partition are dead: make them reconnect
    }

    /**
     * Starts a region's server again on its ports with its JetStream data, and waits until it is
     * healthy (it has caught up with the metadata group).
     */
    public void restartRegion(String region) {
        server(region).start();
    }

    /** Stops every server and proxy. Idempotent. */
    @Override
    public void close() {
        Together.closeAll(closeables());
    }

    private List<AutoCloseable> closeables() {
        List<AutoCloseable> all = new ArrayList<>(servers.values());
        all.addAll(proxies.values());
        return all;
    }

    @Override
    public String toString() {
        return "NatsCluster" + servers.values();
    }

    private Optional<String> regionOfServer(String serverName) {
        for (var e : servers.entrySet()) {
            if (e.getValue().serverName().equals(serverName)) {
                return Optional.of(e.getKey());
            }
        }
        return Optional.empty();
    }

    private static JsonNode monitor(NatsServer s, String path) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(s.monitorUri() + path).toURL().openConnection();
            try {
                c.setConnectTimeout(2000);
                c.setReadTimeout(2000);
                c.setRequestProperty("Connection", "close");
                if (c.getResponseCode() != 200) {
                    return null;
                }
                try (InputStream in = c.getInputStream()) {
                    return JSON.readTree(in);
                }
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return null;
        }
    }

    private static String config(String region, int clusterPort, Map<String, FaultProxy> proxies) {
        List<String> routes = new ArrayList<>();
        for (var e : proxies.entrySet()) {
            if (!e.getKey().equals(region)) {
                routes.add("\"nats://" + Ports.LOOPBACK + ":" + e.getValue().port() + "\"");
            }
        }
        return "server_tags: [\"region:" + region + "\"]\n"
                + "cluster {\n"
                + "  name: \"" + CLUSTER_NAME + "\"\n"
                + "  listen: \"" + Ports.LOOPBACK + ":" + clusterPort + "\"\n"
                // others reach this server through its proxy, including routes learned by gossip
                + "  advertise: \"" + Ports.LOOPBACK + ":" + proxies.get(region).port() + "\"\n"
                + "  routes: [" + String.join(", ", routes) + "]\n"
                + "}\n";
    }

    /**
     * Settings for a {@link NatsCluster}. Not thread-safe.
     *
     * @since 0.2.0
     */
    public static final class Builder {
        private List<String> regions = List.of();
        private Duration latency = Duration.ZERO;

        private Builder() {
        }

        /**
         * The regions, one server each: at least three distinct names of letters, digits, {@code -}
         * or {@code _} (three is the smallest cluster that survives losing one).
         */
        public Builder regions(String... regions) {
            Objects.requireNonNull(regions, "regions");
            if (regions.length < 3) {
                throw new IllegalArgumentException("a stretched cluster needs at least three regions, got " + List.of(regions));
            }
            for (String r : regions) {
                if (r == null || !r.matches("[A-Za-z0-9_-]+")) {
                    throw new IllegalArgumentException("region name '" + r + "' must be letters, digits, '-' or '_'");
                }
            }
            if (List.of(regions).stream().distinct().count() != regions.length) {
                throw new IllegalArgumentException("a region is named twice in " + List.of(regions));
            }
            this.regions = List.of(regions);
            return this;
        }

        /** The one-way delay added to every route between regions; default none. */
        public Builder crossRegionLatency(Duration latency) {
            Objects.requireNonNull(latency, "latency");
            if (latency.isNegative()) {
                throw new IllegalArgumentException("latency must not be negative, was " + latency);
            }
            this.latency = latency;
            return this;
        }

        /**
         * Starts the servers together (each one's health check waits for a JetStream metadata
         * leader, which needs a majority) and waits until every one is healthy.
         *
         * @throws IllegalStateException    if no regions were given
         * @throws ServerProcessException if a server does not start (the message ends with its log)
         */
        public NatsCluster start() {
            if (regions.isEmpty()) {
                throw new IllegalStateException("regions(...) not set");
            }
            Map<String, Integer> clusterPorts = new LinkedHashMap<>();
            Map<String, FaultProxy> proxies = new LinkedHashMap<>();
            for (String region : regions) {
                int port = Ports.freePort();
                clusterPorts.put(region, port);
                FaultProxy proxy = FaultProxy.start(Ports.LOOPBACK, port);
                proxy.setLatency(latency);
                proxies.put(region, proxy);
            }
            Map<String, java.util.function.Supplier<NatsServer>> starts = new LinkedHashMap<>();
            for (String region : regions) {
                String config = config(region, clusterPorts.get(region), proxies);
                starts.put(region, () -> NatsServer.builder()
                        .serverName(region + "-1")
                        .jetStream()
                        .monitoring()
                        .config(config)
                        .startTimeout(Duration.ofSeconds(30))
                        .start());
            }
            Map<String, NatsServer> started;
            try {
                started = Together.start(starts);
            } catch (RuntimeException e) {
                Together.closeAll(proxies.values());
                throw e;
            }
            return new NatsCluster(started, proxies);
        }
    }
}
