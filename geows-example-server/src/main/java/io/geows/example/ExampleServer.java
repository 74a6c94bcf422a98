package io.geows.example;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.geows.GeoWsNode;
import io.geows.memory.InMemoryBroker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The geows reference server, first cut: demo mode runs two regions ({@code us-east},
 * {@code eu-west}) in one process on the in-memory broker, plus a small HTTP server with a chat page
 * and {@code /regions}.
 *
 * <pre>
 * java -jar geows-example-server.jar [--http-port 8080] [--us-port 8081] [--eu-port 8082] [--host 127.0.0.1]
 * </pre>
 */
public final class ExampleServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExampleServer.class);

    private final List<GeoWsNode> nodes;
    private final HttpServer http;
    private final String host;

    private ExampleServer(List<GeoWsNode> nodes, HttpServer http, String host) {
        this.nodes = nodes;
        this.http = http;
        this.host = host;
    }

    /**
     * Starts demo mode: two regions on one in-memory broker and the web page. Port 0 picks a free one.
     */
    public static ExampleServer demo(String host, int httpPort, int usPort, int euPort) throws IOException {
        InMemoryBroker broker = new InMemoryBroker();
        List<GeoWsNode> nodes = new ArrayList<>();
        try {
            nodes.add(node(broker, host, "us-east", "us-east-1", usPort));
            nodes.add(node(broker, host, "eu-west", "eu-west-1", euPort));
            HttpServer http = HttpServer.create(new InetSocketAddress(host, httpPort), 0);
            http.setExecutor(Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "geows-example-http");
                t.setDaemon(true);
                return t;
            }));
            ExampleServer server = new ExampleServer(nodes, http, host);
            http.createContext("/", server::page);
            http.createContext("/regions", server::regions);
            http.createContext("/healthz", ex -> respond(ex, 200, "text/plain", "ok\n"));
            http.start();
            return server;
        } catch (IOException | RuntimeException e) {
            nodes.forEach(GeoWsNode::close);
            throw e;
        }
    }

    private static GeoWsNode node(InMemoryBroker broker, String host, String region, String nodeId, int port) {
        return GeoWsNode.builder()
                .region(region)
                .nodeId(nodeId)
                .host(host)
                .port(port)
                .broker(broker.connect(nodeId))
                .drainTimeout(Duration.ofSeconds(2))
                .build()
                .start();
    }

    /** The HTTP port (page and {@code /regions}). */
    public int httpPort() {
        return http.getAddress().getPort();
    }

    /** The running nodes, one per region. */
    public List<GeoWsNode> nodes() {
        return List.copyOf(nodes);
    }

    private void page(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        if (!path.equals("/") && !path.equals("/index.html")) {
            respond(ex, 404, "text/plain", "not found\n");
            return;
        }
        try (InputStream in = ExampleServer.class.getResourceAsStream("/public/index.html")) {
            respond(ex, 200, "text/html; charset=utf-8", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private void regions(HttpExchange ex) throws IOException {
        StringBuilder json = new StringBuilder("{\"regions\":[");
        for (int i = 0; i < nodes.size(); i++) {
            GeoWsNode n = nodes.get(i);
            json.append(i == 0 ? "" : ",").append("{\"region\":\"").append(n.region())
                    .append("\",\"node\":\"").append(n.nodeId())
                    .append("\",\"url\":\"").append(n.uri())
                    .append("\",\"ready\":").append(n.isReady())
                    .append(",\"connections\":").append(n.stats().sessions()).append('}');
        }
        respond(ex, 200, "application/json", json.append("]}").toString());
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops the web server and closes the nodes (goaway, drain, close). */
    @Override
    public void close() {
        http.stop(0);
        nodes.forEach(GeoWsNode::close);
    }

    /** Runs demo mode until interrupted (Ctrl-C / SIGTERM close it gracefully). */
    public static void main(String[] args) throws Exception {
        Map<String, String> opts;
        try {
            opts = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("geows: " + e.getMessage() + " (try --help)");
            System.exit(2);
            return;
        }
        if (opts.containsKey("help")) {
            System.out.println(usage());
            return;
        }
        String host = opts.get("host");
        ExampleServer server;
        try {
            server = demo(host, port(opts, "http-port"), port(opts, "us-port"), port(opts, "eu-port"));
        } catch (IllegalArgumentException e) {
            System.err.println("geows: " + e.getMessage());
            System.exit(2);
            return;
        } catch (IOException | RuntimeException e) {
            System.err.println("geows: could not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down: goaway to clients, drain, close");
            server.close();
            done.countDown();
        }, "geows-shutdown"));
        String web = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.httpPort() + "/";
        System.out.println();
        System.out.println("geows demo: two regions on the in-memory broker");
        for (GeoWsNode n : server.nodes()) {
            System.out.printf("  %-8s %s%n", n.region(), n.uri());
        }
        System.out.println("  chat page: " + web + "  (open it in two tabs, pick a different region in each)");
        System.out.println("  Ctrl-C to stop");
        done.await();
    }

    private static int port(Map<String, String> opts, String name) {
        String v = opts.get(name);
        try {
            int p = Integer.parseInt(v);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a port number 0-65535, was '" + v + "'");
        }
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("host", env("GEOWS_HOST", "127.0.0.1"));
        opts.put("http-port", env("GEOWS_HTTP_PORT", "8080"));
        opts.put("us-port", env("GEOWS_US_PORT", "8081"));
        opts.put("eu-port", env("GEOWS_EU_PORT", "8082"));
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                opts.put("help", "true");
                continue;
            }
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
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
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
            if (!opts.containsKey(name)) {
                throw new IllegalArgumentException("unknown flag --" + name);
            }
            opts.put(name, value);
        }
        return opts;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    static String usage() {
        return String.join("\n",
                "geows example server (demo mode: us-east and eu-west in one process, in-memory broker)",
                "",
                "  --host HOST        bind address                 (GEOWS_HOST, default 127.0.0.1)",
                "  --http-port PORT   web page and /regions        (GEOWS_HTTP_PORT, default 8080)",
                "  --us-port PORT     us-east WebSocket port       (GEOWS_US_PORT, default 8081)",
                "  --eu-port PORT     eu-west WebSocket port       (GEOWS_EU_PORT, default 8082)",
                "  --help             this text",
                "",
                "Port 0 picks a free port.");
    }
}
