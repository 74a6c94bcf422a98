package io.geows.testkit;

import io.geows.GeoWsNode;
import io.geows.spi.Session;
import io.geows.spi.SessionRegistry;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@link SessionRegistry} SPI works with an implementation of one's own: the whole compatibility
 * kit passes with a registry that keeps copies of its own (not the node's session objects) in plain
 * synchronized maps and answers with snapshots.
 */
class CustomSessionRegistryIntegrationTests extends InMemoryBrokerCompatibilityIntegrationTests {

    @Override
    protected GeoWsNode.Builder nodeBuilder(String region, String nodeId) {
        return super.nodeBuilder(region, nodeId).registry(new CopyingRegistry());
    }

    /** A registry entry: what the registry knows of a session, not the node's object. */
    private record Entry(String id, String user, Session of) implements Session {
        @Override
        public Set<String> rooms() {
            return of.rooms();
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return of.remoteAddress();
        }

        @Override
        public boolean isOpen() {
            return of.isOpen();
        }

        @Override
        public void close(int code, String reason) {
            of.close(code, reason);
        }
    }

    private static final class CopyingRegistry implements SessionRegistry {
        private final Map<String, Entry> byId = new HashMap<>();
        private final Map<String, Set<String>> roomsOf = new HashMap<>();
        private final Map<String, Set<String>> members = new HashMap<>();

        @Override
        public synchronized void register(Session session) {
            byId.put(session.id(), new Entry(session.id(), session.user(), session));
            roomsOf.putIfAbsent(session.id(), new LinkedHashSet<>());
        }

        @Override
        public synchronized Collection<String> unregister(Session session) {
            byId.remove(session.id());
            Set<String> rooms = roomsOf.remove(session.id());
            if (rooms == null) {
                return List.of();
            }
            rooms.forEach(r -> removeMember(r, session.id()));
            return List.copyOf(rooms);
        }

        @Override
        public synchronized boolean join(Session session, String room) {
            Set<String> rooms = roomsOf.get(session.id());
            if (rooms == null || !rooms.add(room)) {
                return false;
            }
            members.computeIfAbsent(room, r -> new LinkedHashSet<>()).add(session.id());
            return true;
        }

        @Override
        public synchronized boolean leave(Session session, String room) {
            Set<String> rooms = roomsOf.get(session.id());
            if (rooms == null || !rooms.remove(room)) {
                return false;
            }
            removeMember(room, session.id());
            return true;
        }

        private void removeMember(String room, String id) {
            Set<String> m = members.get(room);
            if (m != null && m.remove(id) && m.isEmpty()) {
                members.remove(room);
            }
        }

        @Override
        public synchronized Collection<Session> members(String room) {
            List<Session> out = new ArrayList<>();
            members.getOrDefault(room, Set.of()).forEach(id -> out.add(byId.get(id)));
            return out;
        }

        @Override
        public synchronized Collection<Session> byUser(String user) {
            return byId.values().stream().filter(e -> user.equals(e.user())).map(e -> (Session) e).toList();
        }

        @Override
        public synchronized Optional<Session> byId(String sessionId) {
            return Optional.ofNullable(byId.get(sessionId));
        }

        @Override
        public synchronized Collection<Session> all() {
            return List.copyOf(byId.values());
        }

        @Override
        public synchronized int sessionCount() {
            return byId.size();
        }

        @Override
        public synchronized int roomCount() {
            return members.size();
        }
    }
}
