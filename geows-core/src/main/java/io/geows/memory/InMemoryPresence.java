package io.geows.memory;

import io.geows.spi.NodeInfo;
import io.geows.spi.Presence;
import io.geows.spi.PresenceMember;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** Presence kept in memory; entries live as long as their node's heartbeat. */
final class InMemoryPresence {
    private final Object lock = new Object();
    private final Map<String, NodeEntry> nodes = new HashMap<>();
    private final Map<String, Set<PresenceMember>> users = new HashMap<>();
    private final Map<String, Set<PresenceMember>> rooms = new HashMap<>();

    private record NodeEntry(NodeInfo info, long expiresAtNanos) {
    }

    private boolean live(String nodeId, long now) {
        NodeEntry e = nodes.get(nodeId);
        return e != null && now - e.expiresAtNanos < 0;
    }

    void heartbeat(NodeInfo node, Duration ttl) {
        synchronized (lock) {
            nodes.put(node.nodeId(), new NodeEntry(node, System.nanoTime() + ttl.toNanos()));
        }
    }

    void removeNode(String nodeId) {
        synchronized (lock) {
            nodes.remove(nodeId);
            users.values().forEach(s -> s.removeIf(m -> m.nodeId().equals(nodeId)));
            rooms.values().forEach(s -> s.removeIf(m -> m.nodeId().equals(nodeId)));
            users.values().removeIf(Set::isEmpty);
            rooms.values().removeIf(Set::isEmpty);
        }
    }

    List<NodeInfo> nodes() {
        synchronized (lock) {
            long now = System.nanoTime();
            List<NodeInfo> out = new ArrayList<>();
            for (NodeEntry e : nodes.values()) {
                if (now - e.expiresAtNanos < 0) {
                    out.add(e.info);
                }
            }
            return out;
        }
    }

    void add(Map<String, Set<PresenceMember>> index, String key, PresenceMember m) {
        synchronized (lock) {
            index.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(m);
        }
    }

    void remove(Map<String, Set<PresenceMember>> index, String key, PresenceMember m) {
        synchronized (lock) {
            Set<PresenceMember> s = index.get(key);
            if (s != null) {
                s.remove(m);
                if (s.isEmpty()) {
                    index.remove(key);
                }
            }
        }
    }

    List<PresenceMember> liveMembers(Map<String, Set<PresenceMember>> index, String key) {
        synchronized (lock) {
            long now = System.nanoTime();
            List<PresenceMember> out = new ArrayList<>();
            for (PresenceMember m : index.getOrDefault(key, Set.of())) {
                if (live(m.nodeId(), now)) {
                    out.add(m);
                }
            }
            return out;
        }
    }

    /** The {@link Presence} one connection sees: every call fails while it is disconnected. */
    static final class View implements Presence {
        private final InMemoryPresence p;
        private final InMemoryConnection c;

        View(InMemoryPresence p, InMemoryConnection c) {
            this.p = p;
            this.c = c;
        }

        private CompletableFuture<Void> run(Runnable r) {
            return c.call(() -> {
                c.checkReachableForPresence();
                r.run();
                return null;
            });
        }

        @Override
        public CompletableFuture<Void> heartbeat(NodeInfo node, Duration ttl) {
            return run(() -> p.heartbeat(node, ttl));
        }

        @Override
        public CompletableFuture<Void> removeNode(String nodeId) {
            return run(() -> p.removeNode(nodeId));
        }

        @Override
        public CompletableFuture<List<NodeInfo>> nodes() {
            return c.call(() -> {
                c.checkReachableForPresence();
                return p.nodes();
            });
        }

        @Override
        public CompletableFuture<Void> userOnline(PresenceMember member) {
            return run(() -> p.add(p.users, member.user(), member));
        }

        @Override
        public CompletableFuture<Void> userOffline(PresenceMember member) {
            return run(() -> p.remove(p.users, member.user(), member));
        }

        @Override
        public CompletableFuture<List<PresenceMember>> locate(String user) {
            return c.call(() -> {
                c.checkReachableForPresence();
                return p.liveMembers(p.users, user);
            });
        }

        @Override
        public CompletableFuture<Void> join(String room, PresenceMember member) {
            return run(() -> p.add(p.rooms, room, member));
        }

        @Override
        public CompletableFuture<Void> leave(String room, PresenceMember member) {
            return run(() -> p.remove(p.rooms, room, member));
        }

        @Override
        public CompletableFuture<List<PresenceMember>> members(String room) {
            return c.call(() -> {
                c.checkReachableForPresence();
                return p.liveMembers(p.rooms, room);
            });
        }
    }
}
