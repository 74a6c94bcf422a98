package io.geows.example;

import io.geows.PresenceMode;
import io.geows.PresencePolicy;
import java.time.Duration;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The flags of presence: how rooms' members hear about each other ({@link PresencePolicy}). Part of {@link ServerCommand}. */
final class PresenceOptions {
    @Option(names = "--presence", defaultValue = "auto", converter = FlagValues.Presence.class,
            description = "presence of rooms without a rule: auto (diffs, a count above the list limit), diff, count, events, off")
    private PresenceMode mode;

    @Option(names = "--presence-rooms",
            description = "presence per room pattern, e.g. 'stadium.*=count,support.*=events' (first match wins)")
    private String rooms = "";

    @Option(names = "--presence-window-ms", converter = FlagValues.Whole.class,
            description = "a room's joins and leaves of this long go out as one presence 'diff' frame")
    private int windowMs = (int) PresencePolicy.DEFAULT_WINDOW_MILLIS;

    @Option(names = "--presence-list-limit", converter = FlagValues.Whole.class,
            description = "auto rooms larger than this send member counts instead of member lists")
    private int listLimit = PresencePolicy.DEFAULT_LIST_LIMIT;

    @Option(names = "--presence-count-interval-ms", converter = FlagValues.Whole.class,
            description = "at most one member count per room this often")
    private int countIntervalMs = (int) PresencePolicy.DEFAULT_COUNT_INTERVAL_MILLIS;

    @Option(names = "--presence-count-frames-per-second", converter = FlagValues.Whole.class,
            description = "count frames this node sends per second at most: with more members, counts come less often")
    private int countFramesPerSecond = PresencePolicy.DEFAULT_COUNT_FRAMES_PER_SECOND;

    /** The policy, refused (naming the flag or the setting) when a part is wrong. */
    PresencePolicy toPolicy() {
        try {
            PresencePolicy.Builder b = PresencePolicy.builder().defaultMode(mode)
                    .window(Duration.ofMillis(windowMs))
                    .listLimit(listLimit)
                    .countInterval(Duration.ofMillis(countIntervalMs))
                    .countFramesPerSecond(countFramesPerSecond);
            if (!rooms.isBlank()) {
                for (String rule : rooms.split(",")) {
                    int eq = rule.lastIndexOf('=');
                    if (eq <= 0) {
                        throw new ServerConfig.BadFlag("--presence-rooms takes pattern=mode pairs separated by commas, e.g. "
                                + "'stadium.*=count', was '" + rule.trim() + "'");
                    }
                    b.room(rule.substring(0, eq).trim(), roomMode(rule.substring(eq + 1)));
                }
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new ServerConfig.BadFlag("bad presence setting: " + e.getMessage());
        }
    }

    private static PresenceMode roomMode(String v) {
        try {
            return new FlagValues.Presence().convert(v);
        } catch (TypeConversionException e) {
            throw new ServerConfig.BadFlag("--presence-rooms " + e.getMessage());
        }
    }
}
