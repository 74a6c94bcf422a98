package io.geows.internal;

import io.geows.memory.InMemoryBroker;
import io.geows.memory.InMemoryConnection;

/**
 * The in-memory broker's fault switches (the whole broker unreachable, one connection cut, history
 * lost), for the testkit: not part of the API. {@code io.geows.memory} installs them when its classes
 * load; the testkit reaches them through {@code io.geows.testkit.MemoryBrokerFaults}.
 */
public final class MemoryFaults {
    /** What the in-memory broker lets tests do to it. */
    public interface Switches {
        void fail(InMemoryBroker broker);

        void recover(InMemoryBroker broker);

        boolean isFailed(InMemoryBroker broker);

        void loseHistory(InMemoryBroker broker);

        void cut(InMemoryConnection connection);

        void restore(InMemoryConnection connection);
    }

    private static volatile Switches switches;

    private MemoryFaults() {
    }

    /** Called once by {@code io.geows.memory}. */
    public static void install(Switches s) {
        if (switches == null) {
            switches = s;
        }
    }

    /** The switches (loading the in-memory broker's classes if they are not yet). */
    public static Switches get() {
        if (switches == null) {
            try {
                Class.forName(InMemoryBroker.class.getName(), true, InMemoryBroker.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        return switches;
    }
}
