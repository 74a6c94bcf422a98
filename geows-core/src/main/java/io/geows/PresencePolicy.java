package io.geows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which {@link PresenceMode} each room uses, and the windows of the coalescing modes. Rules are room
 * patterns (a room name in which {@code *} stands for any characters, as for room authorization),
 * tried in the order they were added; a room no rule matches uses {@link #defaultMode()}.
 *
 * <pre>{@code
 * PresencePolicy.builder()
 *         .room("stadium.*", PresenceMode.COUNT)   // tens of thousands: a member count only
 *         .room("support.*", PresenceMode.EVENTS)  // two or three people: each change at once
 *         .build();                                // everything else: AUTO
 * }</pre>
 *
 * <p>The defaults keep a room of 10,000 members cheap: {@link PresenceMode#AUTO}, a diff every
 * {@value #DEFAULT_WINDOW_MILLIS} ms while the room has at most {@value #DEFAULT_LIST_LIMIT} members,
 * a count at most every {@value #DEFAULT_COUNT_INTERVAL_MILLIS} ms above. Every node of a deployment
 * should use the same policy: a room's mode decides what its nodes send each other.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class PresencePolicy {
    /** Default coalescing window of {@link PresenceMode#DIFF}, in milliseconds: {@value}. */
    public static final long DEFAULT_WINDOW_MILLIS = 100;
    /** Default for {@link #countInterval()}, in milliseconds: {@value}. */
    public static final long DEFAULT_COUNT_INTERVAL_MILLIS = 1000;
    /** Default for {@link #listLimit()}: {@value}. */
    public static final int DEFAULT_LIST_LIMIT = 200;
    /** Default for {@link #countFramesPerSecond()}: {@value}. */
    public static final int DEFAULT_COUNT_FRAMES_PER_SECOND = 10_000;

    private static final PresencePolicy DEFAULTS = builder().build();

    private final List<Rule> rules;
    private final PresenceMode defaultMode;
    private final Duration window;
    private final Duration countInterval;
    private final int listLimit;
    private final int countFramesPerSecond;

    private record Rule(String pattern, PresenceMode mode) {
    }

    private PresencePolicy(Builder b) {
        this.rules = List.copyOf(b.rules);
        this.defaultMode = b.defaultMode;
        this.window = b.window;
        this.countInterval = b.countInterval;
        this.listLimit = b.listLimit;
        this.countFramesPerSecond = b.countFramesPerSecond;
    }

    /** {@link PresenceMode#AUTO} for every room, default windows. */
    public static PresencePolicy defaults() {
        return DEFAULTS;
    }

    /** Every room in one mode, default windows. */
    public static PresencePolicy of(PresenceMode mode) {
        return builder().defaultMode(mode).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The mode of {@code room}: the first rule whose pattern matches it, else the default. */
    public PresenceMode modeOf(String room) {
        Objects.requireNonNull(room, "room");
        for (Rule r : rules) {
            if (ClaimRoomAuthorizer.glob(r.pattern, room)) {
                return r.mode;
            }
        }
        return defaultMode;
    }

    /** The mode of rooms no rule matches. */
    public PresenceMode defaultMode() {
        return defaultMode;
    }

    /** How long {@link PresenceMode#DIFF} (and {@code AUTO} below its limit) collects changes. */
    public Duration window() {
        return window;
    }

    /** The shortest time between two member counts sent to a room's members. */
    public Duration countInterval() {
        return countInterval;
    }

    /** Above this many members {@link PresenceMode#AUTO} rooms send counts instead of diffs. */
    public int listLimit() {
        return listLimit;
    }

    /**
     * How many count frames a node sends its members per second, at most, over all its counted rooms:
     * when the members of counted rooms on a node outnumber it, each room's count comes less often
     * than {@link #countInterval()} (members / this, in seconds: 30,000 members at 10,000 per second,
     * every 3 s).
     */
    public int countFramesPerSecond() {
        return countFramesPerSecond;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("PresencePolicy{");
        for (Rule r : rules) {
            sb.append(r.pattern).append('=').append(r.mode).append(", ");
        }
        return sb.append("default=").append(defaultMode).append(", window=").append(window)
                .append(", countInterval=").append(countInterval).append(", listLimit=").append(listLimit)
                .append(", countFramesPerSecond=").append(countFramesPerSecond).append('}').toString();
    }

    /** Builds a {@link PresencePolicy}; not thread-safe. */
    public static final class Builder {
        private final List<Rule> rules = new ArrayList<>();
        private PresenceMode defaultMode = PresenceMode.AUTO;
        private Duration window = Duration.ofMillis(DEFAULT_WINDOW_MILLIS);
        private Duration countInterval = Duration.ofMillis(DEFAULT_COUNT_INTERVAL_MILLIS);
        private int listLimit = DEFAULT_LIST_LIMIT;
        private int countFramesPerSecond = DEFAULT_COUNT_FRAMES_PER_SECOND;

        private Builder() {
        }

        /**
         * Rooms matching {@code pattern} use {@code mode} (unless an earlier rule matched them).
         *
         * @throws IllegalArgumentException when the pattern is empty
         */
        public Builder room(String pattern, PresenceMode mode) {
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(mode, "mode");
            if (pattern.isEmpty()) {
                throw new IllegalArgumentException("a presence rule needs a room pattern, e.g. \"stadium.*\"");
            }
            rules.add(new Rule(pattern, mode));
            return this;
        }

        /** The mode of rooms no rule matches; default {@link PresenceMode#AUTO}. */
        public Builder defaultMode(PresenceMode mode) {
            this.defaultMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** The coalescing window, from 1 ms to 1 minute; default {@value #DEFAULT_WINDOW_MILLIS} ms. */
        public Builder window(Duration window) {
            this.window = between("window", window, Duration.ofMillis(1), Duration.ofMinutes(1));
            return this;
        }

        /** The shortest time between two counts, from 10 ms to 1 minute; default 1 s. */
        public Builder countInterval(Duration interval) {
            this.countInterval = between("countInterval", interval, Duration.ofMillis(10), Duration.ofMinutes(1));
            return this;
        }

        /** The size above which {@code AUTO} rooms send counts, at least 1; default {@value #DEFAULT_LIST_LIMIT}. */
        public Builder listLimit(int members) {
            if (members < 1) {
                throw new IllegalArgumentException("listLimit must be at least 1, was " + members);
            }
            this.listLimit = members;
            return this;
        }

        /**
         * Count frames a node sends per second at most, at least 1; default
         * {@value #DEFAULT_COUNT_FRAMES_PER_SECOND}. See {@link PresencePolicy#countFramesPerSecond()}.
         */
        public Builder countFramesPerSecond(int frames) {
            if (frames < 1) {
                throw new IllegalArgumentException("countFramesPerSecond must be at least 1, was " + frames);
            }
            this.countFramesPerSecond = frames;
            return this;
        }

        public PresencePolicy build() {
            return new PresencePolicy(this);
        }

        private static Duration between(String what, Duration d, Duration min, Duration max) {
            Objects.requireNonNull(d, what);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException(what + " must be between " + min + " and " + max + ", was " + d);
            }
            return d;
        }
    }
}
