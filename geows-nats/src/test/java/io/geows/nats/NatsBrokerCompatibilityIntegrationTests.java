package io.geows.nats;

import io.geows.Topics;
import io.geows.nats.internal.Names;
import io.geows.spi.BrokerAdapter;
import io.geows.testkit.BrokerCompatibilityKit;
import io.geows.testkit.FaultProxy;
import io.geows.testkit.NatsServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.impl.Headers;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The NATS broker passes the compatibility kit against a real nats-server with JetStream. */
class NatsBrokerCompatibilityIntegrationTests extends BrokerCompatibilityKit {
    private static NatsServer nats;
    /** One fault proxy per node between it and the server: isolating a node closes and refuses its proxy. */
    private static final Map<String, FaultProxy> proxies = new ConcurrentHashMap<>();

    @BeforeAll
    static void startServer() {
        nats = NatsServer.builder().jetStream().start();
    }

    @AfterAll
    static void stopServer() {
        proxies.values().forEach(FaultProxy::close);
        nats.close();
    }

    @Override
    protected BrokerAdapter connect(String nodeId) {
        FaultProxy proxy = FaultProxy.start(nats.host(), nats.port());
        proxies.put(nodeId, proxy);
        return NatsBroker.builder()
                .url("nats://" + proxy.host() + ":" + proxy.port()).connectionName(nodeId).build();
    }

    @Override
    protected void failBroker() {
        nats.kill();
    }

    @Override
    protected void recoverBroker() {
        nats.start();
    }

    @Override
    protected void isolate(String nodeId) {
        proxies.get(nodeId).setRefuseConnections(true);
        proxies.get(nodeId).cutConnections();
    }

    @Override
    protected void heal(String nodeId) {
        proxies.get(nodeId).setRefuseConnections(false);
    }

    @Override
    protected void publishAsHistory(String room, byte[] payload, long offset, String epoch, long previous) throws Exception {
        // What the stream's republish sends, headers and all, from an ordinary connection.
        Names names = new Names(Topics.DEFAULT_PREFIX);
        String token = Topics.escape(room);
        Headers headers = new Headers().add("Nats-Stream", NatsBroker.DEFAULT_STREAM)
                .add("Nats-Subject", names.historySubject(epoch, token))
                .add("Nats-Sequence", Long.toString(offset))
                .add("Nats-Last-Sequence", Long.toString(previous));
        try (Connection c = Nats.connect(nats.uri())) {
            c.publish(names.liveSubject(token), headers, payload);
            c.flush(java.time.Duration.ofSeconds(5));
        }
    }

    @Override
    protected void loseHistory() throws Exception {
        // The stream is gone; the next node that needs it recreates it with a new epoch.
        try (Connection c = Nats.connect(nats.uri())) {
            c.jetStreamManagement().deleteStream(NatsBroker.DEFAULT_STREAM);
        }
    }
}
