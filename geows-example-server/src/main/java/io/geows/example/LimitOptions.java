package io.geows.example;

import io.geows.NodeLimits;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The flags of the limits on each session ({@link NodeLimits}). Part of {@link ServerCommand}. */
final class LimitOptions {
    @Option(names = "--max-frame-bytes", converter = FlagValues.Whole.class,
            description = "largest client frame; larger ones close the session with 1009")
    private int maxFrameBytes = NodeLimits.DEFAULT_MAX_FRAME_BYTES;

    @Option(names = "--max-rooms", converter = FlagValues.Whole.class, description = "rooms one session may join")
    private int maxRooms = NodeLimits.DEFAULT_MAX_ROOMS_PER_SESSION;

    @Option(names = "--max-queued-frames", converter = FlagValues.Whole.class,
            description = "frames queued for a slow client before it is disconnected (4008)")
    private int maxQueuedFrames = NodeLimits.DEFAULT_MAX_QUEUED_FRAMES;

    @Option(names = "--max-messages-per-second", converter = FlagValues.Whole.class,
            description = "frames per second per session (then rate_limited; 2x over: close 4029); 0: no limit")
    private int maxMessagesPerSecond = NodeLimits.DEFAULT_MESSAGES_PER_SECOND;

    @Option(names = "--message-burst", converter = FlagValues.Whole.class,
            description = "frames a session may send at once above its rate")
    private int messageBurst = NodeLimits.DEFAULT_MESSAGE_BURST;

    @Option(names = "--max-connections-per-address", converter = FlagValues.Whole.class,
            description = "open connections per client IP (then 4009); 0: no limit")
    private int maxConnectionsPerAddress = NodeLimits.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;

    @Option(names = "--max-joins-in-flight", converter = FlagValues.Whole.class,
            description = "room joins worked on at once; more wait their turn")
    private int maxJoinsInFlight = NodeLimits.DEFAULT_MAX_JOINS_IN_FLIGHT;

    @Option(names = "--max-joins-waiting", converter = FlagValues.Whole.class,
            description = "room joins that may wait; more are refused as 'overloaded' (retryable)")
    private int maxJoinsWaiting = NodeLimits.DEFAULT_MAX_JOINS_WAITING;

    @Option(names = "--hello-timeout-ms", converter = FlagValues.Whole.class,
            description = "time a connection has to say hello (then 4000)")
    private int helloTimeoutMs = (int) NodeLimits.DEFAULT_HELLO_TIMEOUT.toMillis();

    /** The limits, refused (naming the limit) when one is out of range. */
    NodeLimits toLimits() {
        try {
            return NodeLimits.builder()
                    .maxFrameBytes(maxFrameBytes)
                    .maxRoomsPerSession(maxRooms)
                    .maxQueuedFrames(maxQueuedFrames)
                    .helloTimeout(Duration.ofMillis(helloTimeoutMs))
                    .maxQueuedBytes(Math.max(NodeLimits.DEFAULT_MAX_QUEUED_BYTES, maxFrameBytes))
                    .messagesPerSecond(maxMessagesPerSecond)
                    .messageBurst(messageBurst)
                    .maxConnectionsPerAddress(maxConnectionsPerAddress)
                    .maxJoinsInFlight(maxJoinsInFlight)
                    .maxJoinsWaiting(maxJoinsWaiting)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ServerConfig.BadFlag("bad limit: " + e.getMessage());
        }
    }
}
