package io.geows.client;

import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.memory.InMemoryBroker;
import io.geows.memory.InMemoryConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Two real nodes, {@code us-east} and {@code eu-west}, on one in-memory broker, on free loopback ports. */
final class TwoRegions implements AutoCloseable {
    final InMemoryBroker broker = new InMemoryBroker();
    final InMemoryConnection usBroker = broker.connect("us-1");
    final InMemoryConnection euBroker = broker.connect("eu-1");
    final GeoWsNode us;
    final GeoWsNode eu;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    TwoRegions() {
        this(b -> b);
    }

    /** With something more on both nodes' builders (hooks, limits). */
    TwoRegions(UnaryOperator<GeoWsNode.Builder> more) {
        us = node("us-east", "us-1", usBroker, more);
        eu = node("eu-west", "eu-1", euBroker, more);
    }

    private static GeoWsNode node(String region, String id, InMemoryConnection broker, UnaryOperator<GeoWsNode.Builder> more) {
        return more.apply(GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region(region).nodeId(id)
                .host("127.0.0.1").port(0).broker(broker).presenceTtl(Duration.ofSeconds(2))
                .drainTimeout(Duration.ofSeconds(3))).build().start();
    }

    /** A client builder for {@code user} that knows both regions. */
    GeoWsClient.Builder client(String user) {
        return GeoWsClient.builder().region("us-east", us.uri()).region("eu-west", eu.uri()).token(user);
    }

    /** Closes it with the regions. */
    <T extends AutoCloseable> T closeLater(T c) {
        closeables.add(c);
        return c;
    }

    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                throw new IllegalStateException("could not close " + closeables.get(i), e);
            }
        }
        us.close();
        eu.close();
    }
}
