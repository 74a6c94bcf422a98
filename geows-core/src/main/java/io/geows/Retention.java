package io.geows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How long rooms' history is kept: per room pattern, at most a number of messages and/or for at
 * most a time. The broker adapters apply the rules where the history lives (Redis trims a room's
 * stream on append, JetStream purges the room's subject, Kafka reads within them; see each adapter),
 * so a resume from before what is kept answers {@code recovered: false}.
 *
 * <pre>{@code
 * Retention retention = Retention.builder()
 *         .keep("eu-*", 1_000, Duration.ofDays(30))  // at most 1,000 messages, none older than 30 days
 *         .keepFor("support-*", Duration.ofDays(7))
 *         .keepMessages("lobby", 100)
 *         .build();
 * GeoWsNode.builder()...retention(retention)
 * }</pre>
 *
 * <p>A pattern is a room name, or a literal prefix followed by one {@code *}. A room that matches
 * several rules gets the smallest count and the shortest time of them; rooms no rule matches keep
 * what the adapter keeps by default. Every node of a deployment must be given the same rules.
 * Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class Retention {
    private static final Retention NONE = new Retention(List.of());

    /**
     * What a room keeps.
     *
     * @param maxMessages the most messages kept, or 0 for no bound on the count
     * @param maxAge      the oldest message kept, or {@code null} for no bound on age
     */
    public record Limit(int maxMessages, Duration maxAge) {
        /** Checks the bounds. */
        public Limit {
            if (maxMessages < 0) {
                throw new IllegalArgumentException("maxMessages must be >= 0 (0: no bound), was " + maxMessages);
            }
            if (maxAge != null && (maxAge.isNegative() || maxAge.isZero())) {
                throw new IllegalArgumentException("maxAge must be positive (null: no bound), was " + maxAge);
            }
            if (maxMessages == 0 && maxAge == null) {
                throw new IllegalArgumentException("a retention rule bounds the count, the age, or both");
            }
        }

        /** The max age in milliseconds, or 0 for none. */
        public long maxAgeMillis() {
            return maxAge == null ? 0 : maxAge.toMillis();
        }

        Limit tighter(Limit other) {
            int count = maxMessages == 0 ? other.maxMessages
                    : other.maxMessages == 0 ? maxMessages : Math.min(maxMessages, other.maxMessages);
            Duration age = maxAge == null ? other.maxAge
                    : other.maxAge == null ? maxAge : (maxAge.compareTo(other.maxAge) <= 0 ? maxAge : other.maxAge);
            return new Limit(count, age);
        }
    }

    private record Rule(String pattern, Limit limit) {
        boolean matches(String room) {
            return pattern.endsWith("*") ? room.startsWith(pattern.substring(0, pattern.length() - 1)) : room.equals(pattern);
        }
    }

    private final List<Rule> rules;

    private Retention(List<Rule> rules) {
        this.rules = rules;
    }

    /** No rule: every room keeps what the adapter keeps by default. */
    public static Retention none() {
        return NONE;
    }

    /** A builder of rules. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether there is no rule. */
    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** What a room keeps under these rules, or empty when no rule matches it. */
    public Optional<Limit> of(String room) {
        Limit found = null;
        for (Rule r : rules) {
            if (r.matches(room)) {
                found = found == null ? r.limit() : found.tighter(r.limit());
            }
        }
        return Optional.ofNullable(found);
    }

    /** The rules' patterns and limits, in the order given. */
    public List<java.util.Map.Entry<String, Limit>> rules() {
        return rules.stream().map(r -> java.util.Map.entry(r.pattern(), r.limit())).toList();
    }

    /** The shortest {@code maxAge} of all rules, or {@code null} when none bounds the age. */
    public Duration shortestAge() {
        Duration d = null;
        for (Rule r : rules) {
            if (r.limit().maxAge() != null && (d == null || r.limit().maxAge().compareTo(d) < 0)) {
                d = r.limit().maxAge();
            }
        }
        return d;
    }

    @Override
    public String toString() {
        return rules.isEmpty() ? "Retention[none]" : "Retention" + rules();
    }

    /** Builds {@link Retention}. Not thread-safe. */
    public static final class Builder {
        private final List<Rule> rules = new ArrayList<>();

        private Builder() {
        }

        /**
         * Rooms matching {@code pattern} keep at most {@code maxMessages} messages (0: any number)
         * and none older than {@code maxAge} ({@code null}: any age).
         *
         * @throws IllegalArgumentException for a bad pattern or bounds
         */
        public Builder keep(String pattern, int maxMessages, Duration maxAge) {
            Objects.requireNonNull(pattern, "pattern");
            int star = pattern.indexOf('*');
            if (pattern.isEmpty() || pattern.equals("*") || (star >= 0 && star != pattern.length() - 1)) {
                throw new IllegalArgumentException("room pattern '" + pattern + "' must be a room name or a non-empty prefix"
                        + " followed by one '*' at the end");
            }
            rules.add(new Rule(pattern, new Limit(maxMessages, maxAge)));
            return this;
        }

        /** Rooms matching {@code pattern} keep at most {@code maxMessages} messages. */
        public Builder keepMessages(String pattern, int maxMessages) {
            if (maxMessages < 1) {
                throw new IllegalArgumentException("maxMessages must be >= 1, was " + maxMessages);
            }
            return keep(pattern, maxMessages, null);
        }

        /** Rooms matching {@code pattern} keep no message older than {@code maxAge}. */
        public Builder keepFor(String pattern, Duration maxAge) {
            return keep(pattern, 0, Objects.requireNonNull(maxAge, "maxAge"));
        }

        /** The rules. */
        public Retention build() {
            return rules.isEmpty() ? NONE : new Retention(List.copyOf(rules));
        }
    }
}
