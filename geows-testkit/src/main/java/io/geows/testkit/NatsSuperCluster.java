package io.geows.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A NATS super-cluster on loopback: one {@code nats-server} per region, each its own cluster (named
 * after the region) with JetStream, joined to every other region by a gateway. Nodes of a region
 * connect to {@link #server(String) its server} only; subjects with interest cross to the other
 * regions through the gateways, as between real regions.
 *
 * <pre>{@code
 * try (NatsSuperCluster nats = NatsSuperCluster.start("us-east", "eu-west")) {
 *     connect(nats.server("us-east").uri());
 *     nats.server("eu-west").kill();        // lose a region
 *     nats.server("eu-west").start();       // back on the same ports, JetStream data kept
 * }
 * }</pre>
 *
 * <p>Every port (client, cluster, gateway, monitoring) is free when chosen and kept across
 * {@link NatsServer#kill()} and {@link NatsServer#start()}, so the gateways reconnect by themselves.
 * The servers are started together and each counts as ready once its {@code /healthz} answers,
 * which includes a JetStream metadata leader: with two regions both must be up for that (a
 * two-member metadata group needs both for a quorum), which is also why losing one region stops
 * stream and consumer <em>creation</em> (not publishing and reading) until it is back.
 *
 * <p>Thread-safe; {@link #close()} stops every server.
 *
 * @since 0.1.0
 */
public final class NatsSuperCluster implements AutoCloseable {
    private final Map<String, NatsServer> servers;

    private NatsSuperCluster(Map<String, NatsServer> servers) {
        this.servers = Collections.unmodifiableMap(servers);
    }

    /**
     * Starts one server per region and waits until every one is ready.
     *
     * @param regions at least two distinct region names (letters, digits, {@code -}, {@code _});
     *                each becomes the cluster and gateway name of its server
     * @return the running super-cluster; close it when done
     * @throws IllegalArgumentException if fewer than two regions or a repeated or invalid name
     * @throws ServerProcessException   if a server does not start (the message ends with its log)
     */
    public static NatsSuperCluster start(String... regions) {
        Objects.requireNonNull(regions, "regions");
        if (regions.length < 2) {
            throw new IllegalArgumentException("a super-cluster needs at least two regions, got " + List.of(regions));
        }
        Map<String, int[]> ports = new LinkedHashMap<>();
        for (String region : regions) {
            if (region == null || !region.matches("[A-Za-z0-9_-]+")) {
                throw new IllegalArgumentException("region name '" + region + "' must be letters, digits, '-' or '_'");
            }
            if (ports.put(region, new int[] {Ports.freePort(), Ports.freePort()}) != null) {
                throw new IllegalArgumentException("region '" + region + "' is named twice");
            }
        }
        Map<String, java.util.function.Supplier<NatsServer>> starts = new LinkedHashMap<>();
        for (String region : regions) {
            String config = config(region, ports);
            // Started together: each one's health check waits for a JetStream metadata leader,
            // which needs the others.
            starts.put(region, () -> NatsServer.builder()
                    .serverName(region + "-1")
                    .jetStream()
                    .monitoring()
                    .config(config)
                    .startTimeout(java.time.Duration.ofSeconds(30))
                    .start());
        }
        Map<String, NatsServer> started = Together.start(starts);
        return new NatsSuperCluster(started);
    }

    private static String config(String region, Map<String, int[]> ports) {
        int[] own = ports.get(region);
        List<String> gateways = new ArrayList<>();
        for (var e : ports.entrySet()) {
            if (!e.getKey().equals(region)) {
                gateways.add("{ name: \"" + e.getKey() + "\", urls: [\"nats://" + Ports.LOOPBACK + ":" + e.getValue()[1]
                        + "\"] }");
            }
        }
        // A one-server cluster: JetStream in a super-cluster needs a cluster block with routes; a
        // route to itself satisfies that and is ignored by the server.
        return "cluster {\n"
                + "  name: \"" + region + "\"\n"
                + "  listen: \"" + Ports.LOOPBACK + ":" + own[0] + "\"\n"
                + "  routes: [\"nats://" + Ports.LOOPBACK + ":" + own[0] + "\"]\n"
                + "}\n"
                + "gateway {\n"
                + "  name: \"" + region + "\"\n"
                + "  listen: \"" + Ports.LOOPBACK + ":" + own[1] + "\"\n"
                + "  gateways: [" + String.join(", ", gateways) + "]\n"
                + "}\n";
    }

    /**
     * The server of a region.
     *
     * @throws IllegalArgumentException if the super-cluster has no such region
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

    /** Stops every server. Idempotent. */
    @Override
    public void close() {
        Together.closeAll(servers.values());
    }

    @Override
    public String toString() {
        return "NatsSuperCluster" + servers.values();
    }
}
