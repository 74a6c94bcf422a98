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
 * @since 0.1.0
 */
public record HistorySlice(String epoch, long top, List<BrokerMessage> messages, boolean complete) {
    /** Copies the list. */
    public HistorySlice {
        messages = List.copyOf(messages);
    }
}
