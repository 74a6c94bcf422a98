package io.geows.example;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

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
 */
record ServerConfig(String host, int httpPort, String broker, String region, String nodeId, int port,
                    String publicUrl, int usPort, int euPort) {

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
        return new ServerConfig(values.get("host"), port(values, "http-port"), broker, blankToNull(values.get("region")),
                blankToNull(values.get("node-id")), port(values, "port"), blankToNull(values.get("public-url")),
                port(values, "us-port"), port(values, "eu-port"));
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
