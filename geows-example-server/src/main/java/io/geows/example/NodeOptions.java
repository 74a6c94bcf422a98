package io.geows.example;

import static io.geows.example.FlagValues.blankToNull;

import io.geows.spi.BrokerUrls;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/** The flags of this process and its node: addresses, the broker, the region. Part of {@link ServerCommand}. */
final class NodeOptions {
    @Option(names = "--host", description = "bind address")
    private String host = "127.0.0.1";

    @Option(names = "--http-port", converter = FlagValues.Port.class, description = "web page, /healthz, /readyz, /regions")
    private int httpPort = 8080;

    @Option(names = "--broker", description = "memory, redis://[user:pass@]host:port, rediss://..., "
            + "nats://[user:pass@]host:port or kafka://[user:pass@]host:port[,host:port] (kafkas:// for TLS)")
    private String broker = "memory";

    @Option(names = "--nats-storage", converter = FlagValues.NatsStorage.class,
            description = "NATS: keep history and presence on disk (file) or in memory (memory: lost when nats-server restarts)")
    private String natsStorage = "file";

    @Option(names = "--region", description = "this node's region (empty with the memory broker: demo mode)")
    private String region = "";

    @Option(names = "--node-id", description = "this node's id (empty: region + random suffix)")
    private String nodeId = "";

    @Option(names = "--port", converter = FlagValues.Port.class, description = "this node's WebSocket port")
    private int port = 8081;

    @Option(names = "--public-url", description = "WebSocket URL clients use to reach this node")
    private String publicUrl = "";

    @Option(names = "--us-port", converter = FlagValues.Port.class, description = "demo mode: us-east WebSocket port")
    private int usPort = 8081;

    @Option(names = "--eu-port", converter = FlagValues.Port.class, description = "demo mode: eu-west WebSocket port")
    private int euPort = 8082;

    @Option(names = "--regions", description = "other regions' URLs for /regions: eu-west=wss://eu.example.com/,...")
    private String regions = "";

    /** The memory broker and no region: the two demo regions in this process. */
    boolean demo() {
        return broker.toLowerCase(Locale.ROOT).equals("memory") && blankToNull(region) == null;
    }

    /** {@code --broker}, checked. */
    String broker() {
        if (broker.equalsIgnoreCase("memory")) {
            return "memory"; // one spelling, so that demo mode is decided the same way everywhere
        }
        if (!FlagValues.brokerUrl(broker)) {
            throw new ServerConfig.BadFlag("--broker must be memory, redis://host:port, rediss://host:port, nats://host:port or"
                    + " kafka://host:port[,host:port], was '" + BrokerUrls.redact(broker) + "'");
        }
        return broker;
    }

    /** With a NATS broker: history and presence in memory. */
    boolean natsMemory() {
        return natsStorage.equals("memory");
    }

    ServerConfig.Listen listen() {
        return new ServerConfig.Listen(host, httpPort, usPort, euPort);
    }

    ServerConfig.Node node() {
        return new ServerConfig.Node(blankToNull(region), blankToNull(nodeId), port, blankToNull(publicUrl), peers());
    }

    /** {@code --regions}: region=ws(s)://... pairs, comma-separated. */
    private Map<String, String> peers() {
        Map<String, String> peers = new LinkedHashMap<>();
        if (regions.isBlank()) {
            return peers;
        }
        for (String entry : regions.split(",")) {
            int eq = entry.indexOf('=');
            String peer = eq > 0 ? entry.substring(0, eq).trim() : "";
            String url = eq > 0 ? entry.substring(eq + 1).trim() : "";
            if (peer.isEmpty() || !(url.startsWith("ws://") || url.startsWith("wss://"))) {
                throw new ServerConfig.BadFlag("--regions entries must be region=ws(s)://host:port/, was '" + entry.trim() + "'");
            }
            peers.put(peer, url);
        }
        return peers;
    }
}
