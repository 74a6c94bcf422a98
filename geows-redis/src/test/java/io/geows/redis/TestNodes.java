package io.geows.redis;

import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.testkit.Await;
import io.geows.testkit.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Nodes on Redis and clients for one test, closed together (clients first); and the node and broker
 * settings every Redis test starts from, so that each test names only what it is about.
 */
final class TestNodes implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);

    private final List<AutoCloseable> clients = new ArrayList<>();
    private final List<GeoWsNode> nodes = new ArrayList<>();

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * A node of {@code region} as the tests run it: the token is the user id, a free loopback port,
     * presence entries live 2 s, closing does not drain. Set the broker (and anything else) and start it.
     */
    static GeoWsNode.Builder nodeBuilder(String region, String id) {
        return GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region(region).nodeId(id)
                .host("127.0.0.1").port(0).presenceTtl(Duration.ofSeconds(2)).drainTimeout(Duration.ZERO);
    }

    /** A broker for node {@code id} on the Redis at {@code uri}, its connections named after the node. */
    static RedisBroker.Builder broker(String uri, String id) {
        return RedisBroker.builder().uri(uri).name(id);
    }

    /** Starts a node of {@code region} on this broker, closed with the others. */
    GeoWsNode node(String region, String id, RedisBroker broker) {
        return track(nodeBuilder(region, id).broker(broker).build().start());
    }

    /** Closes this node with the others (started elsewhere, e.g. with other settings). */
    GeoWsNode track(GeoWsNode node) {
        nodes.add(node);
        return node;
    }

    TestClient client(GeoWsNode node, String user) {
        TestClient c = TestClient.connectAs(node.uri(), user);
        clients.add(c);
        return c;
    }

    static void awaitReady(GeoWsNode... nodes) {
        for (GeoWsNode n : nodes) {
            Await.until("node " + n.nodeId() + " ready", WAIT, n::isReady);
        }
    }

    @Override
    public void close() {
        for (AutoCloseable c : clients) {
            try {
                c.close();
            } catch (Exception ignored) {
                // the node's close ends what is left
            }
        }
        for (GeoWsNode n : nodes) {
            n.close();
        }
    }
}
