package io.geows.internal;

import io.geows.spi.Position;
import java.util.Map;

/** A decoded, validated client frame. */
public sealed interface ClientFrame {
    /** The request id, or {@code null}. */
    String id();

    record Hello(String id, String token, int protocol, Map<String, Position> resume) implements ClientFrame {
    }

    /** A fresh token for a session whose token is about to expire. */
    record Refresh(String id, String token) implements ClientFrame {
    }

    record Join(String id, String room, Position since) implements ClientFrame {
    }

    record Leave(String id, String room) implements ClientFrame {
    }

    record Publish(String id, String room, String data) implements ClientFrame {
    }

    record Direct(String id, String to, String data) implements ClientFrame {
    }

    record PresenceQuery(String id, String room) implements ClientFrame {
    }

    record Ping(String id) implements ClientFrame {
    }
}
