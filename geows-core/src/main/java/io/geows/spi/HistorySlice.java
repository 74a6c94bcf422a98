package io.geows.spi;

import java.util.List;

/**
 * The answer to {@link History#readAfter}.
 *
 * @param epoch    the room's current epoch
 * @param top      the room's last assigned offset when the read happened
 * @param messages the messages after the requested offset, oldest first (at most the limit)
 * @param complete {@code false} when history no longer holds every message after the requested
 *                 offset (some were trimmed by size or age), so the reader has a gap
 * @param rejected entries the adapter found in the room's history but did not return because it
 *                 did not write them itself (an id its append never uses, a key its index does not
 *                 tie to that offset): someone else wrote to the broker. The node counts them.
 * @since 0.1.0
 */
public record HistorySlice(String epoch, long top, List<BrokerMessage> messages, boolean complete, int rejected) {
    /** Copies the list. */
    public HistorySlice {
        messages = List.copyOf(messages);
        if (rejected < 0) {
            throw new IllegalArgumentException("rejected must be >= 0: " + rejected);
        }
    }

    /** A slice in which the adapter rejected nothing. */
    public HistorySlice(String epoch, long top, List<BrokerMessage> messages, boolean complete) {
        this(epoch, top, messages, complete, 0);
    }
}
