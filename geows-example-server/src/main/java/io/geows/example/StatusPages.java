package io.geows.example;

import static io.geows.example.HttpReplies.respond;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.geows.GeoWsNode;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.NodeInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The reference server's pages: the chat page and its script, {@code /readyz} and {@code /regions}. */
final class StatusPages {
    private static final Logger log = LoggerFactory.getLogger(ExampleServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServerConfig config;
    private final List<GeoWsNode> nodes;
    private final BrokerAdapter directory;
    private final boolean demo;
    private final Map<String, Integer> demoPorts;

    /**
     * @param nodes     the server's running nodes
     * @param directory a broker connection to read the node directory from
     * @param demoPorts demo mode: each region's WebSocket port (a stopped region is listed as not ready)
     */
    StatusPages(ServerConfig config, List<GeoWsNode> nodes, BrokerAdapter directory, boolean demo,
                Map<String, Integer> demoPorts) {
        this.config = config;
        this.nodes = nodes;
        this.directory = directory;
        this.demo = demo;
        this.demoPorts = demoPorts;
    }

    /** The chat page ({@code /}) and the client script it runs on ({@code /geows.min.js}). */
    void page(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        if (path.equals("/geows.min.js")) {
            // the geows-js client the page runs on (geows-js: npm run demo-bundle)
            try (InputStream in = StatusPages.class.getResourceAsStream("/public/geows.min.js")) {
                respond(ex, 200, "text/javascript; charset=utf-8", in.readAllBytes());
            }
            return;
        }
        if (!path.equals("/") && !path.equals("/index.html")) {
            respond(ex, 404, "text/plain", "not found\n");
            return;
        }
        try (InputStream in = StatusPages.class.getResourceAsStream("/public/index.html")) {
            respond(ex, 200, "text/html; charset=utf-8", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** 200 when every node is ready, else 503; the body also says where each node's broker keeps what. */
    void ready(HttpExchange ex) throws IOException {
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
    void regions(HttpExchange ex) throws IOException {
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
        if (demo) {
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
}
