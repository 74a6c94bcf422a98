package io.geows.spi;

import java.util.concurrent.CompletableFuture;

/**
 * Per-room message history, kept by the broker.
 *
 * <p>Offsets are positive, assigned by {@link #append}, and only increase within an epoch; the
 * epoch is an opaque string that changes whenever a room's history is lost, so a reader can tell
 * "nothing missed" from "gap". Offsets need not be contiguous (JetStream sequences skip the numbers
 * other rooms used); readers only rely on their order.
 *
 * <p>Two rules make positions verifiable, which is how a node tells a replayed message from a real
 * one (see {@link BrokerMessage}): a message is stored before it is published, so a node that reads
 * history after receiving a live message finds it there; and a read returns only entries this
 * adapter's {@link #append} wrote, each with its {@link BrokerMessage#key() key}, skipping (and
 * counting in {@link HistorySlice#rejected()}) anything someone else put in the broker's storage.
 *
 * <p>Threading: thread-safe and non-blocking. Failures complete exceptionally with
 * {@link io.geows.BrokerUnavailableException} when the broker cannot be reached.
 *
 * @since 0.1.0
 */
public interface History {

    /**
     * Appends a message to a room's history and publishes it to {@code topic} with its offset,
     * atomically where the broker allows (so offsets and delivery order agree). A message whose
     * {@code messageKey} was already appended to the room (within the history's retention) is not
     * appended or published again: the result carries the original position and
     * {@link Appended#duplicate()} {@code true}.
     *
     * @param room       the room (unescaped)
     * @param messageKey a key unique per message within the room, used to drop repeats; the node's
     *                   keys are {@code <sender user id>\n<message id>} (empty sender for the
     *                   application's messages), which is what {@link #eraseSender} goes by
     * @param topic      the topic subscribers of the room listen on
     * @param payload    the message bytes; handed over as for {@link BrokerAdapter#publish}
     */
    CompletableFuture<Appended> append(String room, String messageKey, String topic, byte[] payload);

    /**
     * Reads up to {@code limit} messages of a room with an offset greater than {@code afterOffset},
     * oldest first, as {@link BrokerMessage}s carrying their offset and epoch.
     */
    CompletableFuture<HistorySlice> readAfter(String room, long afterOffset, int limit);

    /** The room's current position: the last offset assigned (0 if none) and the epoch. */
    CompletableFuture<Position> position(String room);

    /**
     * Applies retention rules: a room a rule matches keeps at most its number of messages and
     * none older than its age, removed where the history is stored (not only hidden from readers,
     * unless the adapter's documentation says otherwise), so that a read from before what is kept
     * answers {@link HistorySlice#complete()} {@code false}. The node calls it once, before it starts,
     * with the rules it was built with. The default refuses rules (an adapter that cannot apply them
     * must not pretend to).
     *
     * @throws UnsupportedOperationException when the rules are not empty and the adapter cannot apply them
     * @since 0.1.0
     */
    default void retention(io.geows.Retention rules) {
        if (!rules.isEmpty()) {
            throw new UnsupportedOperationException(getClass().getName() + " cannot apply retention rules");
        }
    }

    /**
     * Removes every stored message of a sender from every room this broker keeps (the right to be
     * forgotten): the messages whose key starts with {@code user + "\n"}. The other messages keep
     * their offsets; the removed ones' keys may stay known, so that a repeat of one is still
     * answered as a duplicate rather than stored again. The default refuses.
     *
     * @return completes with how many messages were removed; fails with
     *         {@link UnsupportedOperationException} when the adapter cannot remove messages
     * @since 0.1.0
     */
    default CompletableFuture<Long> eraseSender(String user) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(getClass().getName()
                + " cannot remove messages from history"));
    }
}
