package io.geows.internal;

import io.geows.PresenceMode;
import io.geows.PresencePolicy;
import io.geows.Topics;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.NodeInfo;
import io.geows.spi.PresenceMember;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's side of presence: the directory entries of its users and room members, and the frames
 * that tell a room's members about each other, as the room's {@link PresenceMode} says.
 *
 * <p>Coalescing modes ({@code DIFF}, {@code COUNT}, {@code AUTO}) collect a room's changes on this
 * node for one window, then send one frame to the local members and one broker message to the other
 * nodes: who joined and left, and how many members the room has here. Each node adds up the counts
 * it heard (per node, replaced by every newer one) to know the room's size in every region; a node
 * that stops beating its heart drops out of the sum ({@link #prune}), and a node that hears a count
 * from a node it did not know answers with its own, so a node entering a room learns the others'.
 *
 * <p>Directory writes are issued while holding the lock: the adapter sends them in that order, so a
 * user going offline on one session and online on another cannot land reversed. Thread-safe.
 */
final class PresenceKeeper {
    private static final Logger log = LoggerFactory.getLogger(PresenceKeeper.class);

    /** Delivers a frame to the room's joined local members. */
    interface LocalMembers {
        void deliver(String room, byte[] frame);
    }

    private final String region;
    private final String nodeId;
    private final Topics topics;
    /** The global broker (user entries) and the zones' (room entries and events of pinned rooms). */
    private final Brokers brokers;
    private final BrokerSeal seal;
    private final PresencePolicy policy;
    private final ScheduledExecutorService scheduler;
    private final LocalMembers members;

    private final Object lock = new Object();
    /** Sessions per user on this node. */
    private final Map<String, Integer> userSessions = new HashMap<>();
    /** Sessions per (room, user) on this node. */
    private final Map<String, Map<String, Integer>> roomUsers = new HashMap<>();
    /** Rooms with a flush scheduled, and what it will send. */
    private final Map<String, Pending> pending = new HashMap<>();
    /** The local members of all counted rooms ({@code occupancy}'s {@code local}s); guarded by the lock. */
    private long countedMembers;
    /** Member counts of the rooms in COUNT and AUTO mode that have members here. */
    private final Map<String, Occupancy> occupancy = new HashMap<>();

    PresenceKeeper(String region, String nodeId, Topics topics, Brokers brokers, BrokerSeal seal,
                   PresencePolicy policy, ScheduledExecutorService scheduler, LocalMembers members) {
        this.region = region;
        this.nodeId = nodeId;
        this.topics = topics;
        this.brokers = brokers;
        this.seal = seal;
        this.policy = policy;
        this.scheduler = scheduler;
        this.members = members;
    }

    PresencePolicy policy() {
        return policy;
    }

    private PresenceMember me(String user) {
        return new PresenceMember(user, region, nodeId);
    }

    private static boolean counted(PresenceMode mode) {
        return mode == PresenceMode.COUNT || mode == PresenceMode.AUTO;
    }

    // ---------------------------------------------------------------- local changes

    void userOnline(String user) {
        synchronized (lock) {
            if (userSessions.merge(user, 1, Integer::sum) == 1) {
                brokers.ofUser(user).presence().userOnline(me(user)).exceptionally(e -> failed("userOnline", e));
            }
        }
    }

    void userOffline(String user) {
        synchronized (lock) {
            if (userSessions.merge(user, -1, Integer::sum) == 0) {
                userSessions.remove(user);
                brokers.ofUser(user).presence().userOffline(me(user)).exceptionally(e -> failed("userOffline", e));
            }
        }
    }

    /** One more session of {@code user} in {@code room} on this node. */
    void join(String user, String room) {
        synchronized (lock) {
            if (roomUsers.computeIfAbsent(room, r -> new HashMap<>()).merge(user, 1, Integer::sum) != 1) {
                return;
            }
            // Announce after the directory has the entry, so a member that hears "join" and asks
            // who is here sees the newcomer.
            brokers.of(room).presence().join(room, me(user)).whenComplete((v, e) -> {
                if (e != null) {
                    failed("join", e);
                }
                changed(room, "join", me(user));
            });
        }
    }

    /** One session fewer of {@code user} in {@code room} on this node. */
    void leave(String user, String room) {
        synchronized (lock) {
            Map<String, Integer> users = roomUsers.get(room);
            if (users == null || users.merge(user, -1, Integer::sum) != 0) {
                return;
            }
            users.remove(user);
            if (users.isEmpty()) {
                roomUsers.remove(room);
            }
            brokers.of(room).presence().leave(room, me(user)).whenComplete((v, e) -> {
                if (e != null) {
                    failed("leave", e);
                }
                changed(room, "leave", me(user));
            });
        }
    }

    private void changed(String room, String event, PresenceMember member) {
        PresenceMode mode = policy.modeOf(room);
        switch (mode) {
            case OFF -> {
            }
            case EVENTS -> {
                members.deliver(room, ServerFrames.presenceEvent(room, event, member));
                brokers.of(room).publish(topics.room(room), seal.seal(BrokerCodec.encodePresence(room, event, member)))
                        .exceptionally(e -> failed("event", e));
            }
            default -> {
                boolean first;
                synchronized (lock) {
                    Pending p = pending.get(room);
                    first = p == null;
                    if (first) {
                        pending.put(room, p = new Pending());
                    }
                    if (mode != PresenceMode.COUNT) {
                        p.add(event, member);
                    }
                }
                if (first) {
                    scheduler.schedule(() -> flush(room), policy.window().toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    /** Schedules a flush that sends at least this node's count of the room. */
    private void announce(String room) {
        boolean first;
        synchronized (lock) {
            first = pending.putIfAbsent(room, new Pending()) == null;
        }
        if (first) {
            scheduler.schedule(() -> flush(room), policy.window().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** A room's changes of one window: a frame to the local members, a message to the other nodes. */
    private void flush(String room) {
        PresenceMode mode = policy.modeOf(room);
        List<PresenceMember> joined;
        List<PresenceMember> left;
        int local;
        boolean lists;
        synchronized (lock) {
            Pending p = pending.remove(room);
            if (p == null) {
                return;
            }
            joined = List.copyOf(p.joined.values());
            left = List.copyOf(p.left.values());
            Map<String, Integer> users = roomUsers.get(room);
            local = users == null ? 0 : users.size();
            lists = mode == PresenceMode.DIFF;
            if (counted(mode)) {
                Occupancy o = occupancy.get(room);
                if (local == 0) {
                    if (occupancy.remove(room) != null) { // no members here: this node hears no more of the room
                        countedMembers -= o.local;
                    }
                } else {
                    if (o == null) {
                        occupancy.put(room, o = new Occupancy());
                    }
                    countedMembers += local - o.local;
                    o.local = local;
                    lists = mode == PresenceMode.AUTO && o.total() <= policy.listLimit();
                }
            }
        }
        if (lists && !(joined.isEmpty() && left.isEmpty())) {
            members.deliver(room, ServerFrames.presenceDiff(room, joined, left));
        }
        // AUTO rooms send their lists along whatever their size: each receiving node decides by the
        // size it sees, and must not miss a change when it sees fewer members than we do.
        brokers.of(room).publish(topics.room(room), seal.seal(BrokerCodec.encodePresenceDiff(room, nodeId, joined, left,
                counted(mode) ? local : BrokerCodec.PresenceDiff.NO_COUNT))).exceptionally(e -> failed("diff", e));
        if (counted(mode)) {
            countChanged(room);
        }
    }

    /** A join or leave a node sent as soon as it happened (that node's room is in {@code EVENTS} mode). */
    void onRemote(BrokerCodec.PresenceEvent e) {
        if (e.member().nodeId().equals(nodeId)) {
            return; // our own were delivered when they happened
        }
        if (listsFor(e.room(), policy.modeOf(e.room()))) {
            members.deliver(e.room(), ServerFrames.presenceEvent(e.room(), e.event(), e.member()));
        }
    }

    /** Another node's changes of one window. */
    void onRemote(BrokerCodec.PresenceDiff d) {
        String origin = d.origin();
        if (origin == null || origin.equals(nodeId)) {
            return; // ours were delivered when flushed
        }
        String room = d.room();
        PresenceMode mode = policy.modeOf(room);
        boolean answer = false;
        if (counted(mode) && d.count() >= 0) {
            synchronized (lock) {
                Map<String, Integer> users = roomUsers.get(room);
                if (users != null && !users.isEmpty()) {
                    Occupancy o = occupancy.computeIfAbsent(room, r -> new Occupancy());
                    countedMembers += users.size() - o.local;
                    o.local = users.size();
                    Integer before = d.count() == 0 ? o.remote.remove(origin) : o.remote.put(origin, d.count());
                    // A node we did not count has just entered the room: it needs our count too.
                    answer = before == null && d.count() > 0;
                }
            }
        }
        if (listsFor(room, mode) && !(d.joined().isEmpty() && d.left().isEmpty())) {
            members.deliver(room, ServerFrames.presenceDiff(room, d.joined(), d.left()));
        }
        if (counted(mode)) {
            countChanged(room);
        }
        if (answer) {
            announce(room);
        }
    }

    /** Whether the room's members get member lists (events or diffs) now. */
    private boolean listsFor(String room, PresenceMode mode) {
        return switch (mode) {
            case EVENTS, DIFF -> true;
            case COUNT, OFF -> false;
            case AUTO -> {
                synchronized (lock) {
                    Occupancy o = occupancy.get(room);
                    yield o == null || o.total() <= policy.listLimit();
                }
            }
        };
    }

    // ---------------------------------------------------------------- counts

    private void countChanged(String room) {
        long delay;
        synchronized (lock) {
            Occupancy o = occupancy.get(room);
            if (o == null || o.scheduled) {
                return;
            }
            o.scheduled = true;
            // Each member of a counted room here costs a frame per count: within the node's budget,
            // a room's count comes at most every interval, and less often when they are many.
            long interval = Math.max(policy.countInterval().toNanos(),
                    countedMembers * 1_000_000_000L / policy.countFramesPerSecond());
            delay = o.sentAt == 0 ? 0 : Math.max(0, o.sentAt + interval - System.nanoTime());
        }
        scheduler.schedule(() -> sendCount(room), delay, TimeUnit.NANOSECONDS);
    }

    private void sendCount(String room) {
        PresenceMode mode = policy.modeOf(room);
        int total;
        synchronized (lock) {
            Occupancy o = occupancy.get(room);
            if (o == null) {
                return;
            }
            o.scheduled = false;
            total = o.total();
            boolean wanted = mode == PresenceMode.COUNT
                    // AUTO: counts above the limit, and one more when the room shrinks back to it
                    || (mode == PresenceMode.AUTO && (total > policy.listLimit() || o.sent > policy.listLimit()));
            if (total == o.sent || !wanted) {
                return;
            }
            o.sent = total;
            o.sentAt = Math.max(1, System.nanoTime());
        }
        members.deliver(room, ServerFrames.presenceCount(room, total));
    }

    /** Forgets the counts of nodes that are no longer alive (their entries left the directory too). */
    void prune(List<NodeInfo> live) {
        Set<String> alive = new HashSet<>();
        for (NodeInfo n : live) {
            alive.add(n.nodeId());
        }
        List<String> changed = new ArrayList<>();
        synchronized (lock) {
            occupancy.forEach((room, o) -> {
                if (o.remote.keySet().removeIf(node -> !alive.contains(node))) {
                    changed.add(room);
                }
            });
        }
        changed.forEach(this::countChanged);
    }

    /** Whether any room is counted (then {@link #prune} is worth a directory read). */
    boolean counting() {
        synchronized (lock) {
            return !occupancy.isEmpty();
        }
    }

    // ---------------------------------------------------------------- after an outage

    /**
     * After an outage of broker {@code b} its directory may hold anything: entries lost with the
     * broker, or removals that failed while we were cut off. Replaces the node's entry set there with
     * what is true now (user entries on the global broker, room entries of the rooms it carries) and
     * sends the counts of those counted rooms again (messages may have been lost).
     */
    void reassert(BrokerAdapter b, Runnable heartbeat) {
        // Re-add only once the removal is complete: an adapter may remove entries in several steps,
        // and a late step must not take away what we add back. Anything that changed meanwhile is
        // covered, because what we add is read from the counts at that moment.
        b.presence().removeNode(nodeId).whenComplete((v, err) -> {
            if (err != null) {
                failed("removeNode", err);
            }
            List<String> counted = new ArrayList<>();
            synchronized (lock) {
                heartbeat.run();
                userSessions.keySet().forEach(u -> {
                    if (brokers.ofUser(u) == b) {
                        b.presence().userOnline(me(u)).exceptionally(e -> failed("userOnline", e));
                    }
                });
                roomUsers.forEach((room, users) -> {
                    if (brokers.of(room) != b) {
                        return;
                    }
                    users.keySet().forEach(u -> b.presence().join(room, me(u)).exceptionally(e -> failed("join", e)));
                    if (counted(policy.modeOf(room))) {
                        counted.add(room);
                    }
                });
            }
            counted.forEach(this::announce);
        });
    }

    private Void failed(String what, Throwable e) {
        log.debug("presence {} on {} failed: {}", what, nodeId, e.toString());
        return null;
    }

    // ---------------------------------------------------------------- state

    /** A room's changes waiting for the end of their window; guarded by the lock. */
    static final class Pending {
        final Map<String, PresenceMember> joined = new LinkedHashMap<>();
        final Map<String, PresenceMember> left = new LinkedHashMap<>();

        /** A join and a leave of the same member within the window cancel out. */
        void add(String event, PresenceMember m) {
            String key = m.user() + '\u0000' + m.nodeId();
            if ("join".equals(event)) {
                if (left.remove(key) == null) {
                    joined.put(key, m);
                }
            } else if (joined.remove(key) == null) {
                left.put(key, m);
            }
        }
    }

    /** A counted room's members: here, and on every other node as last heard; guarded by the lock. */
    static final class Occupancy {
        final Map<String, Integer> remote = new HashMap<>();
        int local;
        /** The last count sent to the local members, -1 before the first. */
        int sent = -1;
        /** When it was sent ({@link System#nanoTime()}, 0 before the first). */
        long sentAt;
        boolean scheduled;

        int total() {
            int sum = local;
            for (int n : remote.values()) {
                sum += n;
            }
            return sum;
        }
    }
}
