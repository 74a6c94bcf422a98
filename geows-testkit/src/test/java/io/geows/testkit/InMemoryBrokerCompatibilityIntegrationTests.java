package io.geows.testkit;

import io.geows.memory.InMemoryBroker;
import io.geows.memory.InMemoryConnection;
import io.geows.Topics;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerMessage;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The in-memory broker passes the compatibility kit. */
class InMemoryBrokerCompatibilityIntegrationTests extends BrokerCompatibilityKit {
    private final InMemoryBroker broker = new InMemoryBroker();
    private final Map<String, InMemoryConnection> connections = new ConcurrentHashMap<>();

    private final Map<String, Tap> taps = new ConcurrentHashMap<>();

    @Override
    protected BrokerAdapter connect(String nodeId) {
        InMemoryConnection c = broker.connect(nodeId);
        connections.put(nodeId, c);
        // In one JVM nobody else can publish: a tap on each connection stands in for the broker
        // delivering what an intruder published.
        Tap tap = new Tap(c);
        taps.put(nodeId, tap);
        return tap;
    }

    @Override
    protected void publishAsHistory(String room, byte[] payload, long offset, String epoch, long previous) {
        String topic = Topics.defaults().room(room);
        taps.values().forEach(t -> t.inject(new BrokerMessage(topic, payload, offset, epoch, previous, null)));
    }

    @Override
    protected void failBroker() {
        MemoryBrokerFaults.fail(broker);
    }

    @Override
    protected void recoverBroker() {
        MemoryBrokerFaults.recover(broker);
    }

    @Override
    protected void isolate(String nodeId) {
        MemoryBrokerFaults.cut(connections.get(nodeId));
    }

    @Override
    protected void heal(String nodeId) {
        MemoryBrokerFaults.restore(connections.get(nodeId));
    }

    @Override
    protected void loseHistory() {
        MemoryBrokerFaults.loseHistory(broker);
    }
}
