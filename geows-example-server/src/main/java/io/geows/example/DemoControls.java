package io.geows.example;

import static io.geows.example.HttpReplies.respond;

import com.sun.net.httpserver.HttpExchange;
import io.geows.GeoWsNode;
import io.geows.memory.InMemoryBroker;
import io.geows.micrometer.GeoWsMetrics;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Demo mode's buttons: {@code POST /demo/stop?region=...} and {@code /demo/start?region=...} stop a
 * region's node (drained, as in a real outage) and start it again on its port, on the demo's brokers.
 */
final class DemoControls {
    private final ServerConfig config;
    private final List<GeoWsNode> nodes;
    private final Map<String, Integer> demoPorts;
    private final InMemoryBroker demoBroker;
    private final InMemoryBroker demoEuBroker;
    private final ExampleServer.Meters metrics;

    /**
     * @param nodes     the server's running nodes, changed here
     * @param demoPorts each demo region's WebSocket port
     */
    DemoControls(ServerConfig config, List<GeoWsNode> nodes, Map<String, Integer> demoPorts, InMemoryBroker demoBroker,
                 InMemoryBroker demoEuBroker, ExampleServer.Meters metrics) {
        this.config = config;
        this.nodes = nodes;
        this.demoPorts = demoPorts;
        this.demoBroker = demoBroker;
        this.demoEuBroker = demoEuBroker;
        this.metrics = metrics;
    }

    /** Demo mode: {@code POST /demo/stop?region=eu-west} drains and closes that region's node. */
    void stop(HttpExchange ex) throws IOException {
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
    void start(HttpExchange ex) throws IOException {
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
            nodes.add(ExampleServer.node(config, region, nodeId, demoPorts.get(region), null, demoBroker.connect(nodeId),
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
}
