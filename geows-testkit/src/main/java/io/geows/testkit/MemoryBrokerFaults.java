package io.geows.testkit;

import io.geows.internal.MemoryFaults;
import io.geows.memory.InMemoryBroker;
import io.geows.memory.InMemoryConnection;

/**
 * Faults of the in-memory broker, for tests: the whole broker unreachable, one node's connection cut,
 * history lost. (They are not the broker's API: an application never calls them.)
 */
public final class MemoryBrokerFaults {
    private MemoryBrokerFaults() {
    }

    /** Every connection loses the broker (LOST; operations fail, nothing is delivered) until {@link #recover}. */
    public static void fail(InMemoryBroker broker) {
        MemoryFaults.get().fail(broker);
    }

    /** Ends a {@link #fail}: connections that were not cut report RESTORED. */
    public static void recover(InMemoryBroker broker) {
        MemoryFaults.get().recover(broker);
    }

    /** Whether {@link #fail} is in effect. */
    public static boolean isFailed(InMemoryBroker broker) {
        return MemoryFaults.get().isFailed(broker);
    }

    /** Drops every room's history; the next append starts a new epoch at offset 1. */
    public static void loseHistory(InMemoryBroker broker) {
        MemoryFaults.get().loseHistory(broker);
    }

    /** Cuts one connection (a network partition of one node): it reports LOST. */
    public static void cut(InMemoryConnection connection) {
        MemoryFaults.get().cut(connection);
    }

    /** Ends a {@link #cut}: RESTORED unless the whole broker is down. */
    public static void restore(InMemoryConnection connection) {
        MemoryFaults.get().restore(connection);
    }
}
