package io.geows.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.InterRegionKeys;
import io.geows.Topics;
import io.geows.spi.Appended;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerMessage;
import io.geows.spi.HistorySlice;
import io.geows.spi.NodeInfo;
import io.geows.spi.PresenceMember;
import io.geows.spi.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;

/**
 * What the broker compatibility kit's tests share: how a broker module connects, breaks and heals
 * its broker (the abstract methods it implements), and nodes and clients closed after each test.
 * The tests come in layers, each class extending the one before: {@link ServerOperationsKit} (the
 * application's operations across regions), {@link BrokerMessagingKit} (client messages, resume,
 * deduplication), {@link BrokerFaultsKit} (outages; malformed, forged and replayed broker messages),
 * {@link BrokerCompatibilityKit} (the history and presence SPI itself); a broker module extends the
 * last and runs them all.
 *
 * @since 0.2.0
 */
public abstract class KitSupport {
    /** How long a test waits for anything that crosses the broker. */
    protected static final Duration WAIT = Duration.ofSeconds(15);

    private final List<GeoWsNode> nodes = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    /**
     * A new broker connection for one node (the node owns it). Every call must reach the same
     * broker, so that the nodes see each other.
     */
    protected abstract BrokerAdapter connect(String nodeId);

    /** Makes the broker unreachable for every node (stop the server, cut every connection). */
    protected abstract void failBroker() throws Exception;

    /** Undoes {@link #failBroker()}. Returns once the broker accepts connections again. */
    protected abstract void recoverBroker() throws Exception;

    /** Cuts one node off the broker (a partition), leaving the others connected. */
    protected abstract void isolate(String nodeId) throws Exception;

    /** Undoes {@link #isolate(String)}. */
    protected abstract void heal(String nodeId) throws Exception;

    /** Drops all history, as a broker restarted without persistence would (new epochs). */
    protected abstract void loseHistory() throws Exception;

    /**
     * Sends {@code payload} to the subscribers of {@code room} exactly as the broker delivers a room
     * message stored in history at {@code offset} of {@code epoch}, right after {@code previous},
     * without storing it: what someone who may publish on the broker can do (for Redis a raw
     * {@code PUBLISH} with the {@code G1} header, for NATS a publish on the room's live subject with
     * the stream's headers).
     */
    protected abstract void publishAsHistory(String room, byte[] payload, long offset, String epoch, long previous)
            throws Exception;

    /** The builder for a kit node; override to add options a broker needs. */
    protected GeoWsNode.Builder nodeBuilder(String region, String nodeId) {
        return GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId())
                .region(region)
                .nodeId(nodeId)
                .host("127.0.0.1")
                .port(0)
                .presenceTtl(Duration.ofSeconds(2))
                .drainTimeout(Duration.ZERO)
                .interRegionKeys(KEYS)
                .broker(connect(nodeId));
    }

    /** The inter-region keys every kit node signs and checks broker messages with. */
    protected static final InterRegionKeys KEYS = InterRegionKeys.signingWith("kit",
            "kit-inter-region-secret-32-bytes!".getBytes(StandardCharsets.UTF_8));

    /** Starts a node and closes it after the test. */
    protected GeoWsNode startNode(String region, String nodeId) {
        GeoWsNode node = nodeBuilder(region, nodeId).build().start();
        nodes.add(node);
        return node;
    }

    /** Connects a client as {@code user} and closes it after the test. */
    protected TestClient client(GeoWsNode node, String user) {
        TestClient c = TestClient.connectAs(node.uri(), user);
        closeables.add(c);
        return c;
    }

    /** Closes something after the test. */
    protected <T extends AutoCloseable> T closeLater(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    @AfterEach
    void closeEverything() throws Exception {
        // Nodes first, while their broker is still reachable (they leave the directory on close).
        for (GeoWsNode n : nodes) {
            n.close();
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
        closeables.clear();
        nodes.clear();
    }

    protected static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    protected static void awaitReady(GeoWsNode... nodes) {
        for (GeoWsNode n : nodes) {
            Await.until("node " + n.nodeId() + " ready", WAIT, n::isReady);
        }
    }

    /** Reads room messages until the one with id {@code sentinel}; returns the ids before it. */
    protected static List<String> idsUntil(TestClient c, String room, String sentinel) {
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

}
