package io.geows.internal;

import io.geows.Residency;
import io.geows.Retention;
import io.geows.WrongRegionException;
import io.geows.spi.BrokerAdapter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The brokers of a node: the global one (node directory, user presence, direct messages,
 * broadcasts, global rooms) and one per residency zone the node's region belongs to (that zone's
 * rooms: live messages, history, room presence). Every room operation asks {@link #of} for its
 * broker, so a pinned room's bytes can only go through its zone's broker; a node outside the zone
 * holds no connection to that broker at all. Immutable.
 */
public final class Brokers {
    final BrokerAdapter global;
    private final Map<String, BrokerAdapter> zones;
    private final Residency rules;
    private final String region;
    private final List<BrokerAdapter> all;
    private final Retention retention;

    /**
     * @param zones     the zone brokers by zone name (checked by {@link Residency#checkNode} before)
     * @param retention how long rooms keep their history (the node's memory of recent messages too)
     */
    public Brokers(BrokerAdapter global, Map<String, BrokerAdapter> zones, Residency rules, String region,
                   Retention retention) {
        this.global = global;
        this.retention = retention;
        this.zones = Collections.unmodifiableMap(new LinkedHashMap<>(zones));
        this.rules = rules;
        this.region = region;
        List<BrokerAdapter> list = new ArrayList<>();
        list.add(global);
        list.addAll(this.zones.values());
        this.all = List.copyOf(list);
    }

    /** One broker for everything (no residency rules). */
    public static Brokers single(BrokerAdapter broker) {
        return new Brokers(broker, Map.of(), Residency.none(), null, Retention.none());
    }

    /**
     * The broker that carries {@code room}.
     *
     * @throws WrongRegionException when the room is pinned to a zone this node is outside of
     */
    BrokerAdapter of(String room) {
        if (zones.isEmpty() && rules.isEmpty()) {
            return global;
        }
        String zone = rules.zoneOf(room).orElse(null);
        if (zone == null) {
            return global;
        }
        BrokerAdapter b = zones.get(zone);
        if (b == null) {
            throw new WrongRegionException(room, rules.regionsOf(zone), region);
        }
        return b;
    }

    /**
     * The broker that carries a user's presence and the direct messages to them: their zone's when
     * the user is pinned, else the global one.
     *
     * @throws WrongRegionException when the user is pinned to a zone this node is outside of
     */
    BrokerAdapter ofUser(String user) {
        if (rules.isEmpty()) {
            return global;
        }
        String zone = rules.zoneOfUser(user).orElse(null);
        if (zone == null) {
            return global;
        }
        BrokerAdapter b = zones.get(zone);
        if (b == null) {
            throw WrongRegionException.forUser(user, rules.regionsOf(zone), region);
        }
        return b;
    }

    /** The user's zone, or {@code null} for a user served anywhere. */
    String zoneOfUser(String user) {
        return rules.isEmpty() ? null : rules.zoneOfUser(user).orElse(null);
    }

    /** Whether this node may serve the user. */
    boolean servesUser(String user) {
        return rules.isEmpty() || rules.allowsUser(user, region);
    }

    /** The room's zone, or {@code null} for a global room. */
    String zoneOf(String room) {
        return rules.isEmpty() ? null : rules.zoneOf(room).orElse(null);
    }

    /** Whether this node may serve the room. */
    boolean serves(String room) {
        return rules.isEmpty() || rules.allows(room, region);
    }

    /**
     * How many of a room's last messages the node may keep in memory for resumes: no more than its
     * retention rule keeps, and none when the rule bounds their age (memory must not outlive history).
     */
    int recentMessages(String room, int configured) {
        Retention.Limit l = retention.of(room).orElse(null);
        if (l == null) {
            return configured;
        }
        return l.maxAge() != null ? 0 : Math.min(configured, l.maxMessages());
    }

    Residency rules() {
        return rules;
    }

    /** Every broker, the global one first. */
    public List<BrokerAdapter> all() {
        return all;
    }

    /** The zone brokers by zone. */
    public Map<String, BrokerAdapter> zones() {
        return zones;
    }

    /** The zone a broker serves, or {@code null} for the global one. */
    String zoneOfBroker(BrokerAdapter b) {
        for (var e : zones.entrySet()) {
            if (e.getValue() == b) {
                return e.getKey();
            }
        }
        return null;
    }

    /** Whether every broker is connected. */
    boolean allConnected() {
        for (BrokerAdapter b : all) {
            if (!b.isConnected()) {
                return false;
            }
        }
        return true;
    }

    /** A name for logs: the global broker's, then each zone's. */
    String describe(BrokerAdapter b) {
        String zone = zoneOfBroker(b);
        return zone == null ? b.name() : b.name() + " (zone " + zone + ")";
    }
}
