package io.geows.example;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.InterRegionKeys;
import io.geows.Residency;
import io.geows.RoomAuthorizer;
import io.geows.ServerTls;
import io.geows.auth.JwtAuthenticator;
import io.geows.memory.InMemoryBroker;
import io.geows.micrometer.GeoWsMetrics;
import io.geows.http.ApiKeys;
import io.geows.http.ServerApi;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerUrls;
import io.geows.spi.NodeInfo;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The geows reference server. Demo mode (memory broker, no region) runs two regions,
 * {@code us-east} and {@code eu-west}, in one process; with {@code --region} and a shared broker it
 * runs one node of a multi-region cluster. Either way it serves the chat page, {@code /healthz},
 * {@code /readyz}, {@code /regions} and {@code /metrics} (Prometheus) over HTTP.
 */
public final class ExampleServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExampleServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The process's meter registry, and the binder of each node id (a stopped demo node's meters are removed). */
    private record Meters(PrometheusMeterRegistry registry, Map<String, GeoWsMetrics> byNode) {
        Meters() {
            this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), new java.util.concurrent.ConcurrentHashMap<>());
        }
    }

    private final List<GeoWsNode> nodes;
    /** Demo mode: the broker, the settings and the metrics of each region's node, to stop and start it. */
    private InMemoryBroker demoBroker;
    /** Demo mode: the EU zone's own broker, which only eu-west connects to. */
    private InMemoryBroker demoEuBroker;
    /** Keys of the admin API. */
    private ApiKeys adminKeys;
    private ServerConfig config;
    private final java.util.Map<String, Integer> demoPorts = new java.util.concurrent.ConcurrentHashMap<>();
    /** A broker connection to read the node directory from (the first node's). */
    private final BrokerAdapter directory;
    private final HttpServer http;
    private final Meters metrics;

    private ExampleServer(List<GeoWsNode> nodes, BrokerAdapter directory, HttpServer http, Meters metrics) {
        this.nodes = new java.util.concurrent.CopyOnWriteArrayList<>(nodes);
        this.directory = directory;
        this.http = http;
        this.metrics = metrics;
    }

    /** Starts demo mode: two regions on one in-memory broker. Port 0 picks a free one. */
    public static ExampleServer demo(String host, int httpPort, int usPort, int euPort) throws IOException {
        return start(ServerConfig.builder().host(host).httpPort(httpPort).demoPorts(usPort, euPort).build());
    }

    /** Starts what the configuration says. */
    static ExampleServer start(ServerConfig config) throws IOException {
        List<GeoWsNode> nodes = new ArrayList<>();
        BrokerAdapter directory;
        Meters metrics = new Meters();
        try {
            InMemoryBroker demoBroker = null;
            InMemoryBroker demoEuBroker = null;
            if (config.demo()) {
                InMemoryBroker broker = new InMemoryBroker();
                demoBroker = broker;
                demoEuBroker = new InMemoryBroker();
                BrokerAdapter us = broker.connect("us-east-1");
                nodes.add(node(config, "us-east", "us-east-1", config.usPort(), null, us, Map.of(), metrics));
                nodes.add(node(config, "eu-west", "eu-west-1", config.euPort(), null, broker.connect("eu-west-1"),
                        Map.of("eu", demoEuBroker.connect("eu-west-1")), metrics));
                directory = us;
            } else {
                String region = config.region() != null ? config.region() : "local";
                String nodeId = config.nodeId() != null ? config.nodeId()
                        : region + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
                if (config.residency() != null) {
                    // A rule that does not fit this node is a configuration mistake: say so before connecting anything.
                    config.residency().checkNode(region, config.zoneBrokers().keySet());
                }
                directory = broker(config, config.broker(), nodeId);
                Map<String, BrokerAdapter> zoneBrokers = new java.util.LinkedHashMap<>();
                try {
                    config.zoneBrokers().forEach((zone, url) -> zoneBrokers.put(zone, broker(config, url, nodeId + "-" + zone)));
                    nodes.add(node(config, region, nodeId, config.port(), config.publicUrl(), directory, zoneBrokers, metrics));
                } catch (RuntimeException e) {
                    zoneBrokers.values().forEach(BrokerAdapter::close);
                    directory.close();
                    throw e;
                }
            }
            HttpServer http = HttpServer.create(new InetSocketAddress(config.host(), config.httpPort()), 0);
            http.setExecutor(Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "geows-example-http");
                t.setDaemon(true);
                return t;
            }));
            ExampleServer server = new ExampleServer(nodes, directory, http, metrics);
            server.config = config;
            server.demoBroker = demoBroker;
            server.demoEuBroker = demoEuBroker;
            server.adminKeys = ApiKeys.of(config.adminKeys());
            for (GeoWsNode n : nodes) {
                server.demoPorts.put(n.region(), n.port());
            }
            if (demoBroker != null) {
                http.createContext("/demo/stop", server::demoStop);
                http.createContext("/demo/start", server::demoStart);
            }
            http.createContext("/", server::page);
            http.createContext("/regions", server::regions);
            http.createContext("/healthz", ex -> respond(ex, 200, "text/plain", "ok\n"));
            http.createContext("/readyz", server::ready);
            http.createContext("/admin/", server::admin);
            ServerApi api = new ServerApi(nodes.get(0), ApiKeys.of(config.apiKeys()));
            http.createContext("/api/v1/", ex -> serve(api, ex));
            http.createContext("/metrics", ex -> {
                server.nodes.forEach(n -> {
                    GeoWsMetrics m = metrics.byNode().get(n.nodeId());
                    if (m != null) {
                        m.notePlacement(n);
                    }
                });
                respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.registry().scrape());
            });
            http.start();
            return server;
        } catch (IOException | RuntimeException e) {
            nodes.forEach(GeoWsNode::close);
            throw e;
        }
    }

    private static BrokerAdapter broker(ServerConfig config, String broker, String nodeId) {
        String brokerCa = config.security().brokerCa();
        String lower = broker.toLowerCase(java.util.Locale.ROOT);
        if (config.natsMemory() && (lower.startsWith("nats://") || lower.startsWith("tls://")) && !broker.contains("?")) {
            broker = broker + "?storage=memory";
        }
        return BrokerUrls.connect(broker, nodeId, brokerCa == null ? null : Path.of(brokerCa));
    }

    static Authenticator authenticator(ServerConfig.Security sec) {
        if (sec.anonymous()) {
            return Authenticator.insecureTokenAsUserId();
        }
        JwtAuthenticator.Builder jwt = JwtAuthenticator.builder();
        if (sec.tokenSecret() != null) {
            jwt.hmacSecret(sec.tokenSecret().getBytes(StandardCharsets.UTF_8));
        } else if (sec.tokenJwks() != null) {
            jwt.jwksFile(Path.of(sec.tokenJwks()));
        } else {
            jwt.publicKeyPem(Path.of(sec.tokenPublicKey()));
        }
        if (sec.tokenIssuer() != null) {
            jwt.issuer(sec.tokenIssuer());
        }
        if (sec.tokenAudience() != null) {
            jwt.audience(sec.tokenAudience());
        }
        return jwt.build();
    }

    private static ServerTls tls(ServerConfig.Security sec) {
        if (sec.tlsKeystore() != null) {
            String pw = sec.tlsKeystorePassword() == null ? "" : sec.tlsKeystorePassword();
            return ServerTls.pkcs12(Path.of(sec.tlsKeystore()), pw.toCharArray());
        }
        return ServerTls.pem(Path.of(sec.tlsCert()), Path.of(sec.tlsKey()));
    }

    private static GeoWsNode node(ServerConfig c, String region, String nodeId, int port, String publicUrl,
                                  BrokerAdapter broker, Map<String, BrokerAdapter> zoneBrokers,
                                  Meters meters) {
        GeoWsMetrics metrics = new GeoWsMetrics(meters.registry(), region, nodeId);
        meters.byNode().put(nodeId, metrics);
        GeoWsNode.Builder builder = GeoWsNode.builder()
                .region(region)
                .nodeId(nodeId)
                .host(c.host())
                .port(port)
                .publicUrl(publicUrl)
                .broker(broker)
                .observer(metrics)
                .limits(c.limits())
                .presence(c.presence())
                .authenticator(authenticator(c.security()))
                .roomAuthorizer(c.security().anonymous() ? RoomAuthorizer.allowAll() : RoomAuthorizer.fromClaims())
                .interRegionKeys(InterRegionKeys.parse(c.security().interRegionKeys()))
                .allowedOrigins(c.security().allowedOrigins())
                .drainTimeout(Duration.ofSeconds(2));
        builder.retention(c.retention());
        Residency residency = c.demo() ? ServerConfig.DEMO_RESIDENCY : c.residency();
        if (residency != null) {
            builder.residency(residency);
            zoneBrokers.forEach(builder::zoneBroker);
        }
        if (c.security().tls()) {
            builder.tls(tls(c.security()));
        }
        GeoWsNode node = builder.build().start();
        metrics.bind(node);
        return node;
    }

    /** The HTTP port (page, health, {@code /regions}). */
    public int httpPort() {
        return http.getAddress().getPort();
    }

    /** The running nodes: two in demo mode, else one. */
    public List<GeoWsNode> nodes() {
        return List.copyOf(nodes);
    }

    private void page(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        if (path.equals("/geows.min.js")) {
            // the geows-js client the page runs on (geows-js: npm run demo-bundle)
            try (InputStream in = ExampleServer.class.getResourceAsStream("/public/geows.min.js")) {
                respond(ex, 200, "text/javascript; charset=utf-8", in.readAllBytes());
            }
            return;
        }
        if (!path.equals("/") && !path.equals("/index.html")) {
            respond(ex, 404, "text/plain", "not found\n");
            return;
        }
        try (InputStream in = ExampleServer.class.getResourceAsStream("/public/index.html")) {
            respond(ex, 200, "text/html; charset=utf-8", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** Demo mode: {@code POST /demo/stop?region=eu-west} drains and closes that region's node. */
    private void demoStop(HttpExchange ex) throws IOException {
        String region = demoRegion(ex);
        if (region == null) {
            return;
        }
        GeoWsNode node = nodes.stream().filter(n -> n.region().equals(region)).findFirst().orElse(null);
        if (node == null) {
            respond(ex, 409, "text/plain", region + " is already stopped\n");
            return;
        }
        nodes.remove(node);
        // In the background: the drain waits for clients to move, and the page should see it happen.
        Thread t = new Thread(() -> {
            node.close();
            GeoWsMetrics m = metrics.byNode().remove(node.nodeId());
            if (m != null) {
                m.unbind();
            }
        }, "geows-demo-stop-" + region);
        t.setDaemon(true);
        t.start();
        respond(ex, 202, "text/plain", "stopping " + region + "\n");
    }

    /** Demo mode: {@code POST /demo/start?region=eu-west} starts that region's node again, on its port. */
    private void demoStart(HttpExchange ex) throws IOException {
        String region = demoRegion(ex);
        if (region == null) {
            return;
        }
        if (nodes.stream().anyMatch(n -> n.region().equals(region))) {
            respond(ex, 409, "text/plain", region + " is running\n");
            return;
        }
        String nodeId = region + "-1";
        try {
            nodes.add(node(config, region, nodeId, demoPorts.get(region), null, demoBroker.connect(nodeId),
                    region.equals("eu-west") ? Map.of("eu", demoEuBroker.connect(nodeId)) : Map.of(), metrics));
        } catch (RuntimeException e) {
            respond(ex, 500, "text/plain", "could not start " + region + ": " + e.getMessage() + "\n");
            return;
        }
        respond(ex, 200, "text/plain", "started " + region + "\n");
    }

    private String demoRegion(HttpExchange ex) throws IOException {
        if (!"POST".equals(ex.getRequestMethod())) {
            respond(ex, 405, "text/plain", "use POST\n");
            return null;
        }
        String query = ex.getRequestURI().getQuery();
        String region = query != null && query.startsWith("region=") ? query.substring("region=".length()) : null;
        if (region == null || !demoPorts.containsKey(region)) {
            respond(ex, 400, "text/plain", "region must be one of " + demoPorts.keySet() + "\n");
            return null;
        }
        return region;
    }

    /** The server API ({@code docs/http-api.yaml}) under {@code /api/v1}. */
    private static void serve(ServerApi api, HttpExchange ex) throws IOException {
        ServerApi.Response r;
        try (java.io.InputStream in = ex.getRequestBody()) {
            r = api.handle(new ServerApi.Request(ex.getRequestMethod(),
                    ex.getRequestURI().getRawPath().substring("/api/v1".length()), ex.getRequestURI().getRawQuery(),
                    ex.getRequestHeaders().getFirst("Authorization"), in, String.valueOf(ex.getRemoteAddress())));
        }
        if (r.authenticate()) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        }
        respond(ex, r.status(), "application/json", r.body());
    }

    /**
     * The admin API: {@code POST /admin/erase?user=<id>} with {@code Authorization: Bearer <key>} erases
     * the user's messages in every zone ({@link GeoWsNode#eraseUser}) and answers the report as JSON:
     * 200 when every zone erased them, 503 when one could not (send it again). 401 for a missing or
     * wrong key (compared in constant time; nothing done), 404 while no admin key is configured.
     */
    private void admin(HttpExchange ex) throws IOException {
        if (adminKeys.isEmpty()) {
            respond(ex, 404, "text/plain", "the admin API is off: start with --admin-keys\n");
            return;
        }
        if (!adminKeys.accept(ex.getRequestHeaders().getFirst("Authorization"))) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            log.warn("admin API: refused a request to {} from {} (missing or wrong key)", ex.getRequestURI().getPath(),
                    ex.getRemoteAddress());
            respond(ex, 401, "application/json", "{\"error\":\"unauthorized\",\"message\":\"missing or wrong admin key\"}");
            return;
        }
        if (!ex.getRequestURI().getPath().equals("/admin/erase")) {
            respond(ex, 404, "application/json", "{\"error\":\"not_found\",\"message\":\"no such admin operation\"}");
            return;
        }
        if (!"POST".equals(ex.getRequestMethod())) {
            respond(ex, 405, "application/json", "{\"error\":\"method_not_allowed\",\"message\":\"use POST\"}");
            return;
        }
        String query = ex.getRequestURI().getRawQuery();
        String user = null;
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.startsWith("user=")) {
                    user = java.net.URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8);
                }
            }
        }
        if (user == null || user.isEmpty() || user.length() > 256 || user.indexOf('\n') >= 0) {
            respond(ex, 400, "application/json", "{\"error\":\"bad_request\",\"message\":\"give ?user=<user id>\"}");
            return;
        }
        ObjectNode body = JSON.createObjectNode().put("user", user);
        try {
            io.geows.ErasureReport report = nodes.get(0).eraseUser(user).get(60, TimeUnit.SECONDS);
            ObjectNode removed = body.putObject("removed");
            report.removed().forEach(removed::put);
            ObjectNode failures = body.putObject("failures");
            report.failures().forEach(failures::put);
            body.put("total", report.total()).put("complete", report.complete());
            log.info("admin API: erased user {}: {}", user, report);
            respond(ex, report.complete() ? 200 : 503, "application/json", JSON.writeValueAsString(body));
        } catch (Exception e) {
            body.put("error", "unavailable").put("message", String.valueOf(e.getMessage()));
            respond(ex, 503, "application/json", JSON.writeValueAsString(body));
        }
    }

    /** 200 when every node is ready, else 503; the body also says where each node's broker keeps what. */
    private void ready(HttpExchange ex) throws IOException {
        boolean ready = nodes.stream().allMatch(GeoWsNode::isReady);
        StringBuilder body = new StringBuilder(ready ? "ready\n" : "not ready\n");
        for (GeoWsNode n : nodes) {
            body.append(n.nodeId()).append(' ').append(n.isReady() ? "ready" : "not ready");
            List<String> down = n.brokersDown();
            if (!down.isEmpty()) {
                body.append(" (broker down: ").append(String.join(", ", down)).append(')');
            }
            new java.util.TreeMap<>(n.brokerPlacement()).forEach((role, holder) -> body.append(", ").append(role).append(": ").append(holder));
            body.append('\n');
        }
        respond(ex, ready ? 200 : 503, "text/plain", body.toString());
    }

    /** This process's nodes, then every other live node of the directory (other processes, other regions). */
    private void regions(HttpExchange ex) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode regions = body.putArray("regions");
        Set<String> listed = new HashSet<>();
        for (GeoWsNode n : nodes) {
            listed.add(n.nodeId());
            regions.addObject().put("region", n.region()).put("node", n.nodeId())
                    .put("url", n.publicUrl() != null ? n.publicUrl() : n.uri().toString())
                    .put("ready", n.isReady()).put("connections", n.stats().sessions());
        }
        try {
            for (NodeInfo info : directory.presence().nodes().get(1, TimeUnit.SECONDS)) {
                if (listed.add(info.nodeId()) && info.publicUrl() != null) {
                    regions.addObject().put("region", info.region()).put("node", info.nodeId())
                            .put("url", info.publicUrl()).put("ready", true).put("connections", info.connections());
                }
            }
        } catch (Exception e) {
            log.debug("node directory unavailable", e);
        }
        config.peers().forEach((region, url) -> {
            boolean known = false;
            for (var r : regions) {
                known |= r.path("url").asText().equals(url);
            }
            if (!known) {
                regions.addObject().put("region", region).put("node", (String) null).put("url", url).put("ready", true)
                        .put("connections", 0);
            }
        });
        if (demoBroker != null) {
            body.put("demo", true);
            for (var e : demoPorts.entrySet()) {
                if (nodes.stream().noneMatch(n -> n.region().equals(e.getKey()))) {
                    regions.addObject().put("region", e.getKey()).put("node", e.getKey() + "-1")
                            .put("url", "ws://" + (config.host().contains(":") ? "[" + config.host() + "]" : config.host())
                                    + ":" + e.getValue() + "/")
                            .put("ready", false).put("connections", 0);
                }
            }
        }
        respond(ex, 200, "application/json", JSON.writeValueAsString(body));
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        respond(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void respond(HttpExchange ex, int status, String type, byte[] bytes) throws IOException {
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

    /** Runs until SIGTERM / Ctrl-C, which close it gracefully. */
    public static void main(String[] args) throws Exception {
        ServerConfig config;
        try {
            config = ServerConfig.parse(args, System::getenv);
        } catch (ServerConfig.BadFlag e) {
            System.err.println("geows: " + e.getMessage() + " (see --help)");
            System.exit(2);
            return;
        }
        if (config == null) {
            System.out.println(ServerConfig.usage());
            return;
        }
        ExampleServer server;
        try {
            server = start(config);
        } catch (IOException | RuntimeException e) {
            System.err.println("geows: could not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        // SIGTERM / Ctrl-C: drain (readiness off, goaway, wait for clients to leave), close, exit 0.
        // A signal handler rather than a shutdown hook, so that a clean drain exits 0, not 143.
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> stop.countDown());
            } catch (IllegalArgumentException e) {
                log.debug("signal {} not available here", name);
            }
        }
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        String web = "http://" + host + ":" + server.httpPort() + "/";
        System.out.println();
        System.out.println(config.demo() ? "geows demo: two regions on the in-memory broker"
                : "geows node on " + io.geows.spi.BrokerUrls.redact(config.broker()));
        for (GeoWsNode n : server.nodes()) {
            // One line per node, stable format: scripts and tests read the bound ports from it.
            System.out.printf("  node %s region %s ws %s http %s%n", n.nodeId(), n.region(), n.uri(), web);
        }
        System.out.println("  chat page: " + web + (config.demo() ? "  (open it in two tabs, pick a different region in each)" : ""));
        System.out.println("  Ctrl-C to stop");
        System.out.flush();
        stop.await();
        log.info("shutting down: goaway to clients, drain, close");
        server.close();
        System.exit(0);
    }
}
