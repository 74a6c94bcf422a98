package io.geows.internal;

import io.geows.spi.Session;
import io.geows.spi.SessionRegistry;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The default {@link SessionRegistry}: concurrent maps, O(1) lookups, weakly consistent views. */
public final class DefaultSessionRegistry implements SessionRegistry {
    private final ConcurrentHashMap<String, Session> byId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<Session>> byUser = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<Session>> byRoom = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Session, Set<String>> roomsOf = new ConcurrentHashMap<>();

    @Override
    public void register(Session session) {
        byId.put(session.id(), session);
        roomsOf.putIfAbsent(session, ConcurrentHashMap.newKeySet());
        if (session.user() != null) {
            byUser.compute(session.user(), (u, set) -> {
                Set<Session> s = set == null ? ConcurrentHashMap.newKeySet() : set;
                s.add(session);
                return s;
            });
        }
    }

    @Override
    public Collection<String> unregister(Session session) {
        byId.remove(session.id());
        if (session.user() != null) {
            byUser.computeIfPresent(session.user(), (u, set) -> {
                set.remove(session);
                return set.isEmpty() ? null : set;
            });
        }
        Set<String> rooms = roomsOf.remove(session);
        if (rooms == null) {
            return List.of();
        }
        for (String room : rooms) {
            removeMember(room, session);
        }
        return List.copyOf(rooms);
    }

    @Override
    public boolean join(Session session, String room) {
        Set<String> rooms = roomsOf.get(session);
        if (rooms == null || !rooms.add(room)) {
            return false;
        }
        byRoom.compute(room, (r, set) -> {
            Set<Session> s = set == null ? ConcurrentHashMap.newKeySet() : set;
            s.add(session);
            return s;
        });
        return true;
    }

    @Override
    public boolean leave(Session session, String room) {
        Set<String> rooms = roomsOf.get(session);
        if (rooms == null || !rooms.remove(room)) {
            return false;
        }
        removeMember(room, session);
        return true;
    }

    private void removeMember(String room, Session session) {
        byRoom.computeIfPresent(room, (r, set) -> {
            set.remove(session);
            return set.isEmpty() ? null : set;
        });
    }

    @Override
    public Collection<Session> members(String room) {
        Set<Session> s = byRoom.get(room);
        return s == null ? List.of() : Collections.unmodifiableSet(s);
    }

    @Override
    public Collection<Session> byUser(String user) {
        Set<Session> s = byUser.get(user);
        return s == null ? List.of() : Collections.unmodifiableSet(s);
    }

    @Override
    public Optional<Session> byId(String sessionId) {
        return Optional.ofNullable(byId.get(sessionId));
    }

    @Override
    public Collection<Session> all() {
        return Collections.unmodifiableCollection(byId.values());
    }

    @Override
    public int sessionCount() {
        return byId.size();
    }

    @Override
    public int roomCount() {
        return byRoom.size();
    }
}
