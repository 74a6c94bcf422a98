package io.geows;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits a node enforces on every session. Immutable; build with {@link #builder()}.
 *
 * @since 0.1.0
 */
public final class NodeLimits {
    /** Largest accepted WebSocket frame, bytes: {@value}. Larger frames close the session with 1009. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
    /** Longest accepted JSON string (also within {@code data}), characters: {@value}. */
    public static final int DEFAULT_MAX_STRING_LENGTH = 32 * 1024;
    /** Deepest accepted JSON nesting: {@value}. */
    public static final int DEFAULT_MAX_JSON_DEPTH = 32;
    /** Most rooms one session may be in: {@value}. */
    public static final int DEFAULT_MAX_ROOMS_PER_SESSION = 100;
    /** Most frames queued for one session before it is disconnected as a slow consumer: {@value}. */
    public static final int DEFAULT_MAX_QUEUED_FRAMES = 4096;
    /** Most bytes queued for one session before it is disconnected as a slow consumer: {@value}. */
    public static final long DEFAULT_MAX_QUEUED_BYTES = 8L * 1024 * 1024;
    /** Most messages replayed per room when a session resumes: {@value}. */
    public static final int DEFAULT_MAX_REPLAY = 1000;
    /** Time a new connection has to send its {@code hello}: 10 seconds. */
    public static final Duration DEFAULT_HELLO_TIMEOUT = Duration.ofSeconds(10);
    /** Interval of WebSocket pings; a connection that misses pongs for 1.5 intervals is closed: 30 s. */
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(30);

    /**
     * Frames per second one session may send, on average: {@value}. Over it a frame is answered with
     * {@code rate_limited} and not processed; a session that keeps sending more than twice the rate is
     * closed with {@link CloseCodes#RATE_LIMITED}. 0 means no limit.
     */
    public static final int DEFAULT_MESSAGES_PER_SECOND = 100;
    /** Frames a session may send at once above its rate (the token bucket's size): {@value}. */
    public static final int DEFAULT_MESSAGE_BURST = 200;
    /**
     * Open connections from one IP address: {@value}. More are closed at once with
     * {@link CloseCodes#TOO_MANY_CONNECTIONS}. 0 means no limit.
     */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 1000;
    /** Room joins (and resumed rooms) the node works on at once: {@value}; more wait their turn. */
    public static final int DEFAULT_MAX_JOINS_IN_FLIGHT = 512;
    /**
     * Room joins that may wait their turn: {@value}. More are refused with {@link ErrorCode#OVERLOADED}
     * (a resuming {@code hello} also closes with {@link CloseCodes#TRY_AGAIN_LATER}); try again later.
     */
    public static final int DEFAULT_MAX_JOINS_WAITING = 100_000;
    /**
     * Messages a room keeps in memory on a node with members: its last {@value} (see
     * {@link Builder#recentMessagesPerRoom}).
     */
    public static final int DEFAULT_RECENT_MESSAGES_PER_ROOM = 64;
    /** Bytes of frames a room keeps in memory at most: {@value} (256 KiB). */
    public static final long DEFAULT_RECENT_BYTES_PER_ROOM = 256 * 1024;
    /**
     * A session's {@code rpc} calls that may wait for their answers at once: {@value}. More are
     * answered with {@link ErrorCode#RATE_LIMITED} at once. @since 0.2.0
     */
    public static final int DEFAULT_MAX_RPCS_IN_FLIGHT = 16;

    private final int maxFrameBytes;
    private final int maxJsonDepth;
    private final int maxStringLength;
    private final int maxRoomsPerSession;
    private final int maxQueuedFrames;
    private final long maxQueuedBytes;
    private final int maxReplay;
    private final Duration helloTimeout;
    private final Duration pingInterval;
    private final int messagesPerSecond;
    private final int messageBurst;
    private final int maxConnectionsPerAddress;
    private final int maxJoinsInFlight;
    private final int maxJoinsWaiting;
    private final int recentMessagesPerRoom;
    private final long recentBytesPerRoom;
    private final int maxRpcsInFlight;

    private NodeLimits(Builder b) {
        this.maxFrameBytes = b.maxFrameBytes;
        this.maxJsonDepth = b.maxJsonDepth;
        this.maxStringLength = b.maxStringLength;
        this.maxRoomsPerSession = b.maxRoomsPerSession;
        this.maxQueuedFrames = b.maxQueuedFrames;
        this.maxQueuedBytes = b.maxQueuedBytes;
        this.maxReplay = b.maxReplay;
        this.recentMessagesPerRoom = b.recentMessagesPerRoom;
        this.recentBytesPerRoom = b.recentBytesPerRoom;
        this.maxRpcsInFlight = b.maxRpcsInFlight;
        this.helloTimeout = b.helloTimeout;
        this.pingInterval = b.pingInterval;
        this.messagesPerSecond = b.messagesPerSecond;
        this.messageBurst = b.messageBurst;
        this.maxConnectionsPerAddress = b.maxConnectionsPerAddress;
        this.maxJoinsInFlight = b.maxJoinsInFlight;
        this.maxJoinsWaiting = b.maxJoinsWaiting;
    }

    /** The defaults. */
    public static NodeLimits defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these limits. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxFrameBytes = maxFrameBytes;
        b.maxJsonDepth = maxJsonDepth;
        b.maxStringLength = maxStringLength;
        b.maxRoomsPerSession = maxRoomsPerSession;
        b.maxQueuedFrames = maxQueuedFrames;
        b.maxQueuedBytes = maxQueuedBytes;
        b.maxReplay = maxReplay;
        b.recentMessagesPerRoom = recentMessagesPerRoom;
        b.recentBytesPerRoom = recentBytesPerRoom;
        b.maxRpcsInFlight = maxRpcsInFlight;
        b.helloTimeout = helloTimeout;
        b.pingInterval = pingInterval;
        b.messagesPerSecond = messagesPerSecond;
        b.messageBurst = messageBurst;
        b.maxConnectionsPerAddress = maxConnectionsPerAddress;
        b.maxJoinsInFlight = maxJoinsInFlight;
        b.maxJoinsWaiting = maxJoinsWaiting;
        return b;
    }

    /** Largest accepted frame, bytes. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** Deepest accepted JSON nesting. */
    public int maxJsonDepth() {
        return maxJsonDepth;
    }

    /** Longest accepted JSON string. */
    public int maxStringLength() {
        return maxStringLength;
    }

    /** Most rooms per session. */
    public int maxRoomsPerSession() {
        return maxRoomsPerSession;
    }

    /** Most frames queued per session. */
    public int maxQueuedFrames() {
        return maxQueuedFrames;
    }

    /** Most bytes queued per session. */
    public long maxQueuedBytes() {
        return maxQueuedBytes;
    }

    /** Most messages replayed per room on resume. */
    public int maxReplay() {
        return maxReplay;
    }

    /** Messages each room keeps in memory for resumes. */
    public int recentMessagesPerRoom() {
        return recentMessagesPerRoom;
    }

    /** Bytes of frames each room keeps in memory for resumes, at most. */
    public long recentBytesPerRoom() {
        return recentBytesPerRoom;
    }

    /** A session's {@code rpc} calls that may wait for answers at once. @since 0.2.0 */
    public int maxRpcsInFlight() {
        return maxRpcsInFlight;
    }

    /** Time allowed for the {@code hello}. */
    public Duration helloTimeout() {
        return helloTimeout;
    }

    /** WebSocket ping interval. */
    public Duration pingInterval() {
        return pingInterval;
    }

    /** Frames per second per session; 0: unlimited. */
    public int messagesPerSecond() {
        return messagesPerSecond;
    }

    /** Frames a session may send at once above its rate. */
    public int messageBurst() {
        return messageBurst;
    }

    /** Open connections per IP address; 0: unlimited. */
    public int maxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    /** Room joins worked on at once. */
    public int maxJoinsInFlight() {
        return maxJoinsInFlight;
    }

    /** Room joins that may wait for their turn before joins are refused as overloaded. */
    public int maxJoinsWaiting() {
        return maxJoinsWaiting;
    }

    @Override
    public String toString() {
        return "NodeLimits{maxFrameBytes=" + maxFrameBytes + ", maxJsonDepth=" + maxJsonDepth + ", maxStringLength=" + maxStringLength
                + ", maxRoomsPerSession=" + maxRoomsPerSession + ", maxQueuedFrames=" + maxQueuedFrames
                + ", maxQueuedBytes=" + maxQueuedBytes + ", maxReplay=" + maxReplay
                + ", recentMessagesPerRoom=" + recentMessagesPerRoom + ", recentBytesPerRoom=" + recentBytesPerRoom
                + ", helloTimeout=" + helloTimeout + ", pingInterval=" + pingInterval
                + ", messagesPerSecond=" + messagesPerSecond + ", messageBurst=" + messageBurst
                + ", maxConnectionsPerAddress=" + maxConnectionsPerAddress
                + ", maxJoinsInFlight=" + maxJoinsInFlight + ", maxJoinsWaiting=" + maxJoinsWaiting
                + ", maxRpcsInFlight=" + maxRpcsInFlight + '}';
    }

    /** Builds {@link NodeLimits}. Not thread-safe. */
    public static final class Builder {
        private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
        private int maxJsonDepth = DEFAULT_MAX_JSON_DEPTH;
        private int maxStringLength = DEFAULT_MAX_STRING_LENGTH;
        private int maxRoomsPerSession = DEFAULT_MAX_ROOMS_PER_SESSION;
        private int maxQueuedFrames = DEFAULT_MAX_QUEUED_FRAMES;
        private long maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES;
        private int maxReplay = DEFAULT_MAX_REPLAY;
        private int recentMessagesPerRoom = DEFAULT_RECENT_MESSAGES_PER_ROOM;
        private long recentBytesPerRoom = DEFAULT_RECENT_BYTES_PER_ROOM;
        private int maxRpcsInFlight = DEFAULT_MAX_RPCS_IN_FLIGHT;
        private Duration helloTimeout = DEFAULT_HELLO_TIMEOUT;
        private Duration pingInterval = DEFAULT_PING_INTERVAL;
        private int messagesPerSecond = DEFAULT_MESSAGES_PER_SECOND;
        private int messageBurst = DEFAULT_MESSAGE_BURST;
        private int maxConnectionsPerAddress = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
        private int maxJoinsInFlight = DEFAULT_MAX_JOINS_IN_FLIGHT;
        private int maxJoinsWaiting = DEFAULT_MAX_JOINS_WAITING;

        private Builder() {
        }

        /** Largest accepted frame in bytes, at least 1024. */
        public Builder maxFrameBytes(int bytes) {
            this.maxFrameBytes = atLeast("maxFrameBytes", bytes, 1024);
            return this;
        }

        /** Deepest JSON nesting, at least 2. */
        public Builder maxJsonDepth(int depth) {
            this.maxJsonDepth = atLeast("maxJsonDepth", depth, 2);
            return this;
        }

        /** Longest JSON string in characters, at least 64. */
        public Builder maxStringLength(int chars) {
            this.maxStringLength = atLeast("maxStringLength", chars, 64);
            return this;
        }

        /** Most rooms per session, at least 1. */
        public Builder maxRoomsPerSession(int rooms) {
            this.maxRoomsPerSession = atLeast("maxRoomsPerSession", rooms, 1);
            return this;
        }

        /** Most frames queued per session before a slow-consumer disconnect, at least 1. */
        public Builder maxQueuedFrames(int frames) {
            this.maxQueuedFrames = atLeast("maxQueuedFrames", frames, 1);
            return this;
        }

        /** Most bytes queued per session before a slow-consumer disconnect, at least 1024. */
        public Builder maxQueuedBytes(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxQueuedBytes must be >= 1024, was " + bytes);
            }
            this.maxQueuedBytes = bytes;
            return this;
        }

        /** Most messages replayed per room on resume, at least 0. */
        public Builder maxReplay(int messages) {
            this.maxReplay = atLeast("maxReplay", messages, 0);
            return this;
        }

        /**
         * Messages each room with members on this node keeps in memory (the frames its members got),
         * at least 0. A resume from a position within them is answered without a broker read: what a
         * region's clients need when they all fail over at once. 0 turns it off; every resume then
         * reads history.
         */
        public Builder recentMessagesPerRoom(int messages) {
            this.recentMessagesPerRoom = atLeast("recentMessagesPerRoom", messages, 0);
            return this;
        }

        /** Bytes of frames each room keeps in memory at most (the oldest go first), at least 0. */
        public Builder recentBytesPerRoom(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("recentBytesPerRoom must be >= 0: " + bytes);
            }
            this.recentBytesPerRoom = bytes;
            return this;
        }

        /** A session's {@code rpc} calls that may wait for answers at once, at least 1. @since 0.2.0 */
        public Builder maxRpcsInFlight(int calls) {
            this.maxRpcsInFlight = atLeast("maxRpcsInFlight", calls, 1);
            return this;
        }

        /** Time a connection has to send its {@code hello}, positive. */
        public Builder helloTimeout(Duration timeout) {
            this.helloTimeout = positive("helloTimeout", timeout);
            return this;
        }

        /** WebSocket ping interval, at least one second (the transport counts whole seconds). */
        public Builder pingInterval(Duration interval) {
            positive("pingInterval", interval);
            if (interval.toSeconds() < 1) {
                throw new IllegalArgumentException("pingInterval must be at least 1s, was " + interval);
            }
            this.pingInterval = interval;
            return this;
        }

        /** Frames per second one session may send on average; 0 turns the limit off. */
        public Builder messagesPerSecond(int rate) {
            this.messagesPerSecond = atLeast("messagesPerSecond", rate, 0);
            return this;
        }

        /** Frames a session may send at once above its rate, at least 1. */
        public Builder messageBurst(int frames) {
            this.messageBurst = atLeast("messageBurst", frames, 1);
            return this;
        }

        /** Open connections per IP address; 0 turns the limit off. */
        public Builder maxConnectionsPerAddress(int connections) {
            this.maxConnectionsPerAddress = atLeast("maxConnectionsPerAddress", connections, 0);
            return this;
        }

        /** Room joins worked on at once, at least 1; more wait their turn. */
        public Builder maxJoinsInFlight(int joins) {
            this.maxJoinsInFlight = atLeast("maxJoinsInFlight", joins, 1);
            return this;
        }

        /** Room joins that may wait their turn, at least 0; more are refused as {@code overloaded}. */
        public Builder maxJoinsWaiting(int joins) {
            this.maxJoinsWaiting = atLeast("maxJoinsWaiting", joins, 0);
            return this;
        }

        /**
         * Builds the limits.
         *
         * @throws IllegalArgumentException when the queued-bytes limit is smaller than one frame
         */
        public NodeLimits build() {
            if (maxQueuedBytes < maxFrameBytes) {
                throw new IllegalArgumentException("maxQueuedBytes (" + maxQueuedBytes
                        + ") must be at least maxFrameBytes (" + maxFrameBytes + "): one frame must fit in the buffer");
            }
            return new NodeLimits(this);
        }

        private static int atLeast(String name, int value, int min) {
            if (value < min) {
                throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
            }
            return value;
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }
    }
}
