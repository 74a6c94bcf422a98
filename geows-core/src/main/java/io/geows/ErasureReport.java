package io.geows;

import java.util.Map;

/**
 * What {@link GeoWsNode#eraseUser} removed: per broker, the number of the user's messages taken out
 * of history, and the zones where it could not be done.
 *
 * @param removed  messages removed, by zone; the global broker (global rooms) as {@link #GLOBAL}
 * @param failures zones (or {@link #GLOBAL}) where erasure failed or no node answered, with why;
 *                 empty when the user's messages are gone everywhere
 * @since 0.1.0
 */
public record ErasureReport(Map<String, Long> removed, Map<String, String> failures) {
    /** The name the global broker has in a report. */
    public static final String GLOBAL = "global";

    /** Copies the maps. */
    public ErasureReport {
        removed = Map.copyOf(removed);
        failures = Map.copyOf(failures);
    }

    /** The messages removed in total. */
    public long total() {
        return removed.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Whether every broker erased the user's messages. */
    public boolean complete() {
        return failures.isEmpty();
    }
}
