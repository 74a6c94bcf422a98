package io.geows.nats;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.testkit.Await;
import io.geows.testkit.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Nodes on NATS and clients for one test, closed together (clients first). */
final class TestNodes implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);

    private final List<AutoCloseable> clients = new ArrayList<>();
    private final List<GeoWsNode> nodes = new ArrayList<>();

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Options for a node of a region whose NATS server is {@code url}; history lives in us-east. */
    static NatsBroker.Builder options(String url, String nodeId) {
        return NatsBroker.builder().url(url).connectionName(nodeId).historyPlacement("us-east")
                .requestTimeout(Duration.ofSeconds(2));
    }

    GeoWsNode node(String region, String url) {
        String id = unique(region);
        return node(region, id, options(url, id).build());
    }

    GeoWsNode node(String region, String id, NatsBroker broker) {
        GeoWsNode node = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region(region).nodeId(id).host("127.0.0.1").port(0)
                .presenceTtl(Duration.ofSeconds(2)).drainTimeout(Duration.ZERO).broker(broker).build().start();
        nodes.add(node);
        return node;
    }

    TestClient client(GeoWsNode node, String user) {
        TestClient c = TestClient.connectAs(node.uri(), user);
        clients.add(c);
        return c;
    }

    <T extends AutoCloseable> T closeLater(T c) {
        clients.add(c);
        return c;
    }

    static void awaitReady(GeoWsNode... nodes) {
        for (GeoWsNode n : nodes) {
            Await.until("node " + n.nodeId() + " ready", WAIT, n::isReady);
        }
    }

    /** Room message ids until {@code sentinel} (exclusive). */
    static List<String> idsUntil(TestClient c, String room, String sentinel) {
        List<String> ids = new ArrayList<>();
        while (true) {
            JsonNode m = c.awaitMessage(room);
            String id = m.path("id").asText();
            if (id.equals(sentinel)) {
                return ids;
            }
            ids.add(id);
        }
    }

    /** Publishes until acknowledged (the client's duty after {@code unavailable}); returns the ack. */
    static JsonNode publishUntilAcked(TestClient c, String room, String id) {
        JsonNode[] ack = new JsonNode[1];
        Await.until("publish " + id + " acknowledged", WAIT, () -> {
            JsonNode a = c.publish(room, id, id);
            ack[0] = a;
            return "ack".equals(TestClient.type(a));
        });
        return ack[0];
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        for (GeoWsNode n : nodes) {
            n.close();
        }
    }
}
