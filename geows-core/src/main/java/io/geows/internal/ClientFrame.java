package io.geows.internal;

import io.geows.spi.Position;
import java.util.Map;

/** A decoded, validated client frame. */
public sealed interface ClientFrame {
    /** The request id, or {@code null}. */
    String id();

    /** The frame's {@code type} on the wire. */
    String type();

    record Hello(String id, String token, int protocol, Map<String, Position> resume) implements ClientFrame {
        @Override
        public String type() {
            return "hello";
        }
    }

    /** A fresh token for a session whose token is about to expire. */
    record Refresh(String id, String token) implements ClientFrame {
        @Override
        public String type() {
            return "refresh";
        }
    }

    record Join(String id, String room, Position since) implements ClientFrame {
        @Override
        public String type() {
            return "join";
        }
    }

    record Leave(String id, String room) implements ClientFrame {
        @Override
        public String type() {
            return "leave";
        }
    }

    record Publish(String id, String room, String data) implements ClientFrame {
        @Override
        public String type() {
            return "publish";
        }
    }

    record Direct(String id, String to, String data) implements ClientFrame {
        @Override
        public String type() {
            return "direct";
        }
    }

    record PresenceQuery(String id, String room) implements ClientFrame {
        @Override
        public String type() {
            return "presence";
        }
    }

    /** A call of one of the application's RPC methods; {@code data} is JSON text ("null" when absent). */
    record Rpc(String id, String method, String data) implements ClientFrame {
        @Override
        public String type() {
            return "rpc";
        }
    }

    record Ping(String id) implements ClientFrame {
        @Override
        public String type() {
            return "ping";
        }
    }
}
