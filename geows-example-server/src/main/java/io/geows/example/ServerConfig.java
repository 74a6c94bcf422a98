package io.geows.example;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import io.geows.NodeLimits;

/**
 * The example server's settings, from flags ({@code --name value} or {@code --name=value}) and
 * {@code GEOWS_*} environment variables (flags win). A bad value fails with one line naming the flag.
 *
 * @param host       bind address of every port
 * @param httpPort   web page, /healthz, /readyz, /regions
 * @param broker     {@code memory}, {@code redis://...}, {@code rediss://...} or {@code nats://...}
 * @param region     this node's region; {@code null} with the memory broker means demo mode
 * @param nodeId     this node's id ({@code null}: region plus a random suffix)
 * @param port       this node's WebSocket port
 * @param publicUrl  the WebSocket URL clients should use for this node ({@code null}: its local one)
 * @param usPort     demo mode: the us-east node's port
 * @param euPort     demo mode: the eu-west node's port
 * @param peers      other regions' public WebSocket URLs, listed in /regions (region to URL)
 * @param limits     limits on each session
 * @param tokenSecret HS256 secret that hello tokens must be signed with; {@code null}: demo tokens (the
 *                   token is the user name; insecure, logged at start)
 */
record ServerConfig(String host, int httpPort, String broker, String region, String nodeId, int port,
                    String publicUrl, int usPort, int euPort, Map<String, String> peers, NodeLimits limits,
                    String tokenSecret) {

    /** The settings with defaults for what a test does not care about. */
    ServerConfig(String host, int httpPort, String broker, String region, String nodeId, int port, String publicUrl,
                 int usPort, int euPort) {
        this(host, httpPort, broker, region, nodeId, port, publicUrl, usPort, euPort, Map.of(), NodeLimits.defaults(), null);
    }

    /** One flag: name, environment variable, default, meaning. */
    private record Flag(String name, String env, String fallback, String help) {
    }

    private static final Flag[] FLAGS = {
        new Flag("host", "GEOWS_HOST", "127.0.0.1", "bind address"),
        new Flag("http-port", "GEOWS_HTTP_PORT", "8080", "web page, /healthz, /readyz, /regions"),
        new Flag("broker", "GEOWS_BROKER", "memory", "memory, redis://[user:pass@]host:port, rediss://... or nats://[user:pass@]host:port"),
        new Flag("region", "GEOWS_REGION", "", "this node's region (empty with the memory broker: demo mode)"),
        new Flag("node-id", "GEOWS_NODE_ID", "", "this node's id (empty: region + random suffix)"),
        new Flag("port", "GEOWS_PORT", "8081", "this node's WebSocket port"),
        new Flag("public-url", "GEOWS_PUBLIC_URL", "", "WebSocket URL clients use to reach this node"),
        new Flag("us-port", "GEOWS_US_PORT", "8081", "demo mode: us-east WebSocket port"),
        new Flag("eu-port", "GEOWS_EU_PORT", "8082", "demo mode: eu-west WebSocket port"),
        new Flag("regions", "GEOWS_REGIONS", "", "other regions' URLs for /regions: eu-west=wss://eu.example.com/,..."),
        new Flag("max-frame-bytes", "GEOWS_MAX_FRAME_BYTES", String.valueOf(NodeLimits.DEFAULT_MAX_FRAME_BYTES),
                "largest client frame; larger ones close the session with 1009"),
        new Flag("max-rooms", "GEOWS_MAX_ROOMS", String.valueOf(NodeLimits.DEFAULT_MAX_ROOMS_PER_SESSION),
                "rooms one session may join"),
        new Flag("max-queued-frames", "GEOWS_MAX_QUEUED_FRAMES", String.valueOf(NodeLimits.DEFAULT_MAX_QUEUED_FRAMES),
                "frames queued for a slow client before it is disconnected (4008)"),
        new Flag("token-secret", "GEOWS_TOKEN_SECRET", "", "HS256 secret (32+ bytes) for JWT hello tokens; empty: demo tokens"),
        new Flag("hello-timeout-ms", "GEOWS_HELLO_TIMEOUT_MS", String.valueOf(NodeLimits.DEFAULT_HELLO_TIMEOUT.toMillis()),
                "time a connection has to say hello (then 4000)"),
    };

    /** Whether to run the two demo regions in this process. */
    boolean demo() {
        return broker.equals("memory") && region == null;
    }

    /** Thrown for a bad flag; the message is the one line to print. */
    static final class BadFlag extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadFlag(String message) {
            super(message);
        }
    }

    /** Parses flags over the environment. {@code --help} returns null. */
    static ServerConfig parse(String[] args, Function<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Flag f : FLAGS) {
            String v = env.apply(f.env());
            values.put(f.name(), v == null || v.isBlank() ? f.fallback() : v.trim());
        }
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                return null;
            }
            if (!a.startsWith("--")) {
                throw new BadFlag("unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new BadFlag("--" + name + " needs a value");
            }
            if (!values.containsKey(name)) {
                throw new BadFlag("unknown flag --" + name);
            }
            values.put(name, value);
        }
        String broker = values.get("broker");
        String lower = broker.toLowerCase(Locale.ROOT);
        if (!lower.equals("memory") && !lower.startsWith("redis://") && !lower.startsWith("rediss://")
                && !lower.startsWith("nats://") && !lower.startsWith("tls://")) {
            throw new BadFlag("--broker must be memory, redis://host:port, rediss://host:port or nats://host:port, was '"
                    + broker.replaceAll("//[^@/]*@", "//***@") + "'");
        }
        NodeLimits limits;
        try {
            limits = NodeLimits.builder()
                    .maxFrameBytes(number(values, "max-frame-bytes"))
                    .maxRoomsPerSession(number(values, "max-rooms"))
                    .maxQueuedFrames(number(values, "max-queued-frames"))
                    .helloTimeout(java.time.Duration.ofMillis(number(values, "hello-timeout-ms")))
                    .maxQueuedBytes(Math.max(NodeLimits.DEFAULT_MAX_QUEUED_BYTES, number(values, "max-frame-bytes")))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new BadFlag("bad limit: " + e.getMessage());
        }
        String secret = blankToNull(values.get("token-secret"));
        if (secret != null && secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
            throw new BadFlag("--token-secret must be at least 32 bytes (HS256), was "
                    + secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        }
        return new ServerConfig(values.get("host"), port(values, "http-port"), broker, blankToNull(values.get("region")),
                blankToNull(values.get("node-id")), port(values, "port"), blankToNull(values.get("public-url")),
                port(values, "us-port"), port(values, "eu-port"), peers(values.get("regions")), limits,
                blankToNull(values.get("token-secret")));
    }

    private static int number(Map<String, String> values, String name) {
        String v = values.get(name);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new BadFlag("--" + name + " must be a whole number, was '" + v + "'");
        }
    }

    private static Map<String, String> peers(String spec) {
        Map<String, String> peers = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return peers;
        }
        for (String entry : spec.split(",")) {
            int eq = entry.indexOf('=');
            String region = eq > 0 ? entry.substring(0, eq).trim() : "";
            String url = eq > 0 ? entry.substring(eq + 1).trim() : "";
            if (region.isEmpty() || !(url.startsWith("ws://") || url.startsWith("wss://"))) {
                throw new BadFlag("--regions entries must be region=ws(s)://host:port/, was '" + entry.trim() + "'");
            }
            peers.put(region, url);
        }
        return peers;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static int port(Map<String, String> values, String name) {
        String v = values.get(name);
        try {
            int p = Integer.parseInt(v);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new BadFlag("--" + name + " must be a port number 0-65535 (0: any free port), was '" + v + "'");
        }
    }

    static String usage() {
        StringBuilder sb = new StringBuilder("geows example server\n\n"
                + "With the memory broker and no --region it runs the demo: us-east and eu-west in one process.\n"
                + "With --region (and a shared broker such as redis://) it runs one node of a cluster.\n\n");
        for (Flag f : FLAGS) {
            sb.append(String.format("  --%-12s %-18s %s (default: %s)%n", f.name(), f.env(), f.help(),
                    f.fallback().isEmpty() ? "none" : f.fallback()));
        }
        return sb.append("\nPort 0 picks a free port.").toString();
    }
}
