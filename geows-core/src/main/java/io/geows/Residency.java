package io.geows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where rooms may live: zones of regions, and room patterns pinned to a zone. A pinned room's
 * messages, history and presence are published, stored and read only through the broker of its
 * zone ({@link GeoWsNode.Builder#zoneBroker}), and only nodes of the zone's regions serve it: a
 * client that asks another region for it is answered {@link ErrorCode#WRONG_REGION}, naming where to
 * go. Rooms no rule matches are global, as without rules.
 *
 * <pre>{@code
 * Residency residency = Residency.builder()
 *         .regions("eu-west", "eu-central", "us-east")
 *         .zone("eu", "eu-west", "eu-central")
 *         .pin("eu:*", "eu")                 // every room whose name starts with "eu:"
 *         .pin("hr-payroll", "eu")           // one room by name
 *         .build();
 * }</pre>
 *
 * <p>A pattern is a room name, or a literal prefix followed by one {@code *}; nothing else, so that
 * two rules can be checked for overlap: overlapping patterns of different zones, a zone naming an
 * undeclared region and a pin to an unknown zone are refused by {@link Builder#build()} with a
 * message naming the problem. Every node of a deployment must be given the same rules.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class Residency {
    private static final Residency NONE = new Residency(Set.of(), Map.of(), List.of(), List.of());

    /** A room pattern pinned to a zone. */
    private record Pin(String pattern, String zone) {
        boolean isPrefix() {
            return pattern.endsWith("*");
        }

        String literal() {
            return isPrefix() ? pattern.substring(0, pattern.length() - 1) : pattern;
        }

        boolean matches(String room) {
            return isPrefix() ? room.startsWith(literal()) : room.equals(pattern);
        }

        boolean overlaps(Pin other) {
            if (isPrefix() && other.isPrefix()) {
                return literal().startsWith(other.literal()) || other.literal().startsWith(literal());
            }
            if (isPrefix()) {
                return other.pattern.startsWith(literal());
            }
            if (other.isPrefix()) {
                return pattern.startsWith(other.literal());
            }
            return pattern.equals(other.pattern);
        }
    }

    private final Set<String> regions;
    private final Map<String, Set<String>> zones;
    private final List<Pin> pins;
    private final List<Pin> userPins;

    private Residency(Set<String> regions, Map<String, Set<String>> zones, List<Pin> pins, List<Pin> userPins) {
        this.userPins = userPins;
        this.regions = regions;
        this.zones = zones;
        this.pins = pins;
    }

    /** No rule: every room is global (the default). */
    public static Residency none() {
        return NONE;
    }

    /** A builder of rules. */
    public static Builder builder() {
        return new Builder();
    }

    /** The zone a room is pinned to, or empty for a global room. */
    public Optional<String> zoneOf(String room) {
        for (Pin p : pins) {
            if (p.matches(room)) {
                return Optional.of(p.zone()); // overlapping pins share their zone (checked when built)
            }
        }
        return Optional.empty();
    }

    /** Whether no room and no user is pinned (everything is global). */
    public boolean isEmpty() {
        return pins.isEmpty() && userPins.isEmpty();
    }

    /** The zone a user is pinned to ({@link Builder#pinUsers}), or empty for a user served anywhere. */
    public Optional<String> zoneOfUser(String user) {
        for (Pin p : userPins) {
            if (p.matches(user)) {
                return Optional.of(p.zone());
            }
        }
        return Optional.empty();
    }

    /** Whether a node of {@code region} may serve {@code user} (a session of them, a direct message to them). */
    public boolean allowsUser(String user, String region) {
        return zoneOfUser(user).map(z -> zones.get(z).contains(region)).orElse(true);
    }

    /**
     * The regions of a zone, in the order declared.
     *
     * @throws IllegalArgumentException when no such zone is declared
     */
    public Set<String> regionsOf(String zone) {
        Set<String> r = zones.get(zone);
        if (r == null) {
            throw new IllegalArgumentException("no zone '" + zone + "'");
        }
        return r;
    }

    /** Whether a node of {@code region} may serve {@code room} (join, publish to, query it). */
    public boolean allows(String room, String region) {
        return zoneOf(room).map(z -> zones.get(z).contains(region)).orElse(true);
    }

    /** The zones {@code region} belongs to. */
    public Set<String> zonesOf(String region) {
        Set<String> out = new LinkedHashSet<>();
        zones.forEach((zone, rs) -> {
            if (rs.contains(region)) {
                out.add(zone);
            }
        });
        return out;
    }

    /** The declared zones and their regions, in the order declared. */
    public Map<String, Set<String>> zones() {
        return zones;
    }

    /**
     * Checks a node of {@code region} that has brokers for {@code zonesWithBroker}: its region is
     * declared, it has a broker for every zone it belongs to, and none for a zone it is outside of.
     * {@link GeoWsNode.Builder#build()} calls it.
     *
     * @throws IllegalArgumentException naming what is missing or wrong
     */
    public void checkNode(String region, Set<String> zonesWithBroker) {
        if (isEmpty() && zonesWithBroker.isEmpty()) {
            return;
        }
        if (!regions.contains(region)) {
            throw new IllegalArgumentException("this node's region '" + region + "' is not one of the declared regions "
                    + regions);
        }
        for (String zone : zonesOf(region)) {
            if (!zonesWithBroker.contains(zone)) {
                throw new IllegalArgumentException("zone '" + zone + "' includes this node's region '" + region
                        + "' but no broker is configured for it: its rooms must be stored only there");
            }
        }
        for (String zone : zonesWithBroker) {
            if (!zones.containsKey(zone)) {
                throw new IllegalArgumentException("a broker is configured for zone '" + zone + "', which no rule declares");
            }
            if (!zones.get(zone).contains(region)) {
                throw new IllegalArgumentException("a broker is configured for zone '" + zone + "', which does not include"
                        + " this node's region '" + region + "': a node outside a zone holds no connection to its broker");
            }
        }
    }

    /** The pinned room patterns and their zones, in the order given. */
    public Map<String, String> pins() {
        Map<String, String> out = new LinkedHashMap<>();
        pins.forEach(p -> out.put(p.pattern(), p.zone()));
        return java.util.Collections.unmodifiableMap(out);
    }

    @Override
    public String toString() {
        if (isEmpty()) {
            return "Residency[none]";
        }
        Map<String, String> users = new LinkedHashMap<>();
        userPins.forEach(p -> users.put(p.pattern(), p.zone()));
        return "Residency" + pins() + (users.isEmpty() ? "" : " users " + users) + " zones " + zones;
    }

    /** Builds {@link Residency}. Not thread-safe. */
    public static final class Builder {
        private final Set<String> regions = new LinkedHashSet<>();
        private final Map<String, Set<String>> zones = new LinkedHashMap<>();
        private final List<Pin> pins = new ArrayList<>();
        private final List<Pin> userPins = new ArrayList<>();

        private Builder() {
        }

        /** Declares the deployment's regions (every region a zone names must be one of them). */
        public Builder regions(String... names) {
            for (String n : names) {
                regions.add(name(n, "region"));
            }
            return this;
        }

        /**
         * A zone: a name for a set of declared regions.
         *
         * @throws IllegalArgumentException for a zone declared twice, no region, or a malformed name
         */
        public Builder zone(String name, String... regionNames) {
            String zone = name(name, "zone");
            if (zones.containsKey(zone)) {
                throw new IllegalArgumentException("zone '" + zone + "' is declared twice");
            }
            if (regionNames.length == 0) {
                throw new IllegalArgumentException("zone '" + zone + "' names no region");
            }
            Set<String> rs = new LinkedHashSet<>();
            for (String r : regionNames) {
                rs.add(name(r, "region"));
            }
            zones.put(zone, rs);
            return this;
        }

        /**
         * Pins rooms matching {@code pattern} (a room name, or a non-empty prefix followed by
         * {@code *}) to a zone.
         *
         * @throws IllegalArgumentException for any other pattern
         */
        public Builder pin(String pattern, String zone) {
            pins.add(new Pin(checkedPattern(pattern, "room"), name(zone, "zone")));
            return this;
        }

        /**
         * Pins users whose id matches {@code pattern} (a user id, or a non-empty prefix followed by
         * {@code *}) to a zone: their sessions, their presence and the direct messages to them are
         * served only by nodes of the zone, through its broker. A client of such a user that connects
         * elsewhere is answered {@link ErrorCode#WRONG_REGION} and moved.
         *
         * @throws IllegalArgumentException for any other pattern
         */
        public Builder pinUsers(String pattern, String zone) {
            userPins.add(new Pin(checkedPattern(pattern, "user"), name(zone, "zone")));
            return this;
        }

        private static String checkedPattern(String pattern, String what) {
            Objects.requireNonNull(pattern, "pattern");
            int star = pattern.indexOf('*');
            if (pattern.isEmpty() || pattern.equals("*") || (star >= 0 && star != pattern.length() - 1)) {
                throw new IllegalArgumentException(what + " pattern '" + pattern + "' must be a " + what
                        + " name or a non-empty prefix followed by one '*' at the end");
            }
            return pattern;
        }

        private static String name(String n, String what) {
            Objects.requireNonNull(n, what);
            String t = n.trim();
            if (t.isEmpty() || !t.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException(what + " name '" + n + "' must be 1-64 letters, digits, '.', '_' or '-'");
            }
            return t;
        }

        /**
         * The rules.
         *
         * @throws IllegalArgumentException for a zone naming an undeclared region, a pin naming an
         *                                  unknown zone, or overlapping pins of different zones
         */
        public Residency build() {
            if (pins.isEmpty() && userPins.isEmpty() && zones.isEmpty()) {
                return NONE;
            }
            zones.forEach((zone, rs) -> {
                for (String r : rs) {
                    if (!regions.contains(r)) {
                        throw new IllegalArgumentException("zone '" + zone + "' names region '" + r
                                + "', which is not one of the declared regions " + regions);
                    }
                }
            });
            List<Pin> all = new ArrayList<>(pins);
            all.addAll(userPins);
            for (Pin p : all) {
                if (!zones.containsKey(p.zone())) {
                    throw new IllegalArgumentException("room pattern '" + p.pattern() + "' is pinned to zone '" + p.zone()
                            + "', which is not declared (zones: " + zones.keySet() + ")");
                }
            }
            overlaps(pins, "room");
            overlaps(userPins, "user");
            Map<String, Set<String>> z = new LinkedHashMap<>();
            zones.forEach((k, v) -> z.put(k, java.util.Collections.unmodifiableSet(new LinkedHashSet<>(v))));
            return new Residency(java.util.Collections.unmodifiableSet(new LinkedHashSet<>(regions)),
                    java.util.Collections.unmodifiableMap(z), List.copyOf(pins), List.copyOf(userPins));
        }

        private static void overlaps(List<Pin> pins, String what) {
            for (int i = 0; i < pins.size(); i++) {
                for (int j = i + 1; j < pins.size(); j++) {
                    Pin a = pins.get(i);
                    Pin b = pins.get(j);
                    if (a.overlaps(b) && !a.zone().equals(b.zone())) {
                        throw new IllegalArgumentException(what + " patterns '" + a.pattern() + "' (zone '" + a.zone()
                                + "') and '" + b.pattern() + "' (zone '" + b.zone() + "') overlap: a " + what
                                + " matching both would belong to two zones");
                    }
                }
            }
        }
    }
}
