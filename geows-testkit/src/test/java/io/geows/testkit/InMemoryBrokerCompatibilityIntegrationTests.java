package io.geows.testkit;

import io.geows.memory.InMemoryBroker;
import io.geows.memory.InMemoryConnection;
import io.geows.spi.BrokerAdapter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The in-memory broker passes the compatibility kit. */
class InMemoryBrokerCompatibilityIntegrationTests extends BrokerCompatibilityKit {
    private final InMemoryBroker broker = new InMemoryBroker();
    private final Map<String, InMemoryConnection> connections = new ConcurrentHashMap<>();

    @Override
    protected BrokerAdapter connect(String nodeId) {
        InMemoryConnection c = broker.connect(nodeId);
        connections.put(nodeId, c);
        return c;
    }

    @Override
    protected void failBroker() {
        broker.fail();
    }

    @Override
    protected void recoverBroker() {
        broker.recover();
    }

    @Override
    protected void isolate(String nodeId) {
        connections.get(nodeId).cut();
    }

    @Override
    protected void heal(String nodeId) {
        connections.get(nodeId).restore();
    }

    @Override
    protected void loseHistory() {
        broker.loseHistory();
    }
}
