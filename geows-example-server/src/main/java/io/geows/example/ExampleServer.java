package io.geows.example;

import static io.geows.example.HttpReplies.respond;

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
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
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
    /** The process's meter registry, and the binder of each node id (a stopped demo node's meters are removed). */
    record Meters(PrometheusMeterRegistry registry, Map<String, GeoWsMetrics> byNode) {
        Meters() {
            this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), new java.util.concurrent.ConcurrentHashMap<>());
        }
    }

    private final List<GeoWsNode> nodes;
    private final HttpServer http;
    private final Meters metrics;

    private ExampleServer(List<GeoWsNode> nodes, HttpServer http, Meters metrics) {
        this.nodes = new java.util.concurrent.CopyOnWriteArrayList<>(nodes);
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
            ExampleServer server = new ExampleServer(nodes, http, metrics);
            Map<String, Integer> demoPorts = new java.util.concurrent.ConcurrentHashMap<>();
            for (GeoWsNode n : server.nodes) {
                demoPorts.put(n.region(), n.port());
            }
            if (demoBroker != null) {
                DemoControls demo = new DemoControls(config, server.nodes, demoPorts, demoBroker, demoEuBroker, metrics);
                http.createContext("/demo/stop", demo::stop);
                http.createContext("/demo/start", demo::start);
            }
            StatusPages pages = new StatusPages(config, server.nodes, directory, demoBroker != null, demoPorts);
            http.createContext("/", pages::page);
            http.createContext("/regions", pages::regions);
            http.createContext("/healthz", ex -> respond(ex, 200, "text/plain", "ok\n"));
            http.createContext("/readyz", pages::ready);
            http.createContext("/admin/", new AdminApi(ApiKeys.of(config.adminKeys()), server.nodes)::handle);
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

    static GeoWsNode node(ServerConfig c, String region, String nodeId, int port, String publicUrl,
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
