package io.geows.nats.internal;

import io.geows.spi.BrokerMessage;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live delivery of one room's history messages, without gaps.
 *
 * <p>The stream republishes every stored message with its sequence and the sequence of the room's
 * previous message ({@code Nats-Last-Sequence}, computed by the server when it stores the message).
 * Republished messages are at-most-once: one sent while this connection was away, or before the
 * subscription's interest reached the stream's server through a gateway, is simply not delivered.
 * So each message is checked against the last one delivered: when its predecessor is newer, the
 * missing ones are read from the stream first and delivered in order, and live messages wait behind
 * the read. Messages arriving before the room's starting position is known wait as well.
 *
 * <p>Thread-safe: everything runs under this object's lock, so the listener sees one room's
 * messages one at a time, in offset order.
 */
public final class LiveRoom {
    private static final Logger log = LoggerFactory.getLogger(LiveRoom.class);

    /** Reads the messages of the room between two offsets of an epoch (exclusive). */
    @FunctionalInterface
    public interface Filler {
        java.util.concurrent.CompletableFuture<List<BrokerMessage>> read(String epoch, long after, long before);
    }

    private record Pending(BrokerMessage message, long previous) {
    }

    private final String topic;
    private final Filler filler;
    private final Consumer<BrokerMessage> out;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private long last = -1;
    private String epoch;
    private boolean awaitingStart = true;
    private boolean filling;
    private boolean closed;

    public LiveRoom(String topic, Filler filler, Consumer<BrokerMessage> out) {
        this.topic = topic;
        this.filler = filler;
        this.out = out;
    }

    /**
     * Sets the position live delivery starts after (the room's last offset once the subscription
     * was live); {@code offset < 0} when it could not be read: the next message is taken as it comes.
     */
    public synchronized void start(long offset, String startEpoch) {
        if (!awaitingStart) {
            return;
        }
        awaitingStart = false;
        if (offset >= 0 && startEpoch != null) {
            last = offset;
            epoch = startEpoch;
        }
        drain();
    }

    /** A live message and the offset of the room's message before it (0 when it was the first). */
    public synchronized void offer(BrokerMessage m, long previous) {
        if (closed) {
            return;
        }
        if (awaitingStart || filling) {
            waiting.add(new Pending(m, previous));
            return;
        }
        process(new Pending(m, previous));
    }

    public synchronized void close() {
        closed = true;
        waiting.clear();
    }

    /** The offset of the last message delivered (-1 before the first), for diagnostics. */
    public synchronized long last() {
        return last;
    }

    private void process(Pending p) {
        BrokerMessage m = p.message();
        if (last < 0 || epoch == null) {
            deliver(m);
        } else if (!m.epoch().equals(epoch)) {
            if (p.previous() == 0) {
                deliver(m);
            } else {
                fill(p, m.epoch(), 0);
            }
        } else if (m.offset() <= last) {
            return; // delivered already (by a fill)
        } else if (p.previous() <= last) {
            deliver(m);
        } else {
            fill(p, epoch, last);
        }
    }

    private void fill(Pending trigger, String fillEpoch, long after) {
        filling = true;
        waiting.addFirst(trigger);
        long before = trigger.message().offset();
        log.debug("{}: live message {} follows {} but {} was delivered last; reading the gap from history", topic,
                before, trigger.previous(), after);
        filler.read(fillEpoch, after, before).whenComplete((found, err) -> filled(fillEpoch, after, found, err));
    }

    private synchronized void filled(String fillEpoch, long after, List<BrokerMessage> found, Throwable err) {
        filling = false;
        if (closed) {
            return;
        }
        if (err != null) {
            // Keep the position: the next live message finds the same gap and reads it again (the
            // broker is probably reconnecting, and the node recovers from history afterwards).
            log.warn("{}: could not read messages after offset {} from history ({}); {} live message(s) dropped,"
                    + " they are read again with the next one", topic, after, err.toString(), waiting.size());
            waiting.clear();
            return;
        }
        for (BrokerMessage m : found) {
            if (!fillEpoch.equals(epoch) || m.offset() > last) {
                deliver(m);
            }
        }
        // The message that revealed the gap goes next even if its predecessor was trimmed meanwhile.
        Pending trigger = waiting.poll();
        if (trigger != null && (!trigger.message().epoch().equals(epoch) || trigger.message().offset() > last)) {
            deliver(trigger.message());
        }
        drain();
    }

    private void drain() {
        while (!filling && !waiting.isEmpty()) {
            process(waiting.poll());
        }
    }

    private void deliver(BrokerMessage m) {
        last = m.offset();
        epoch = m.epoch();
        out.accept(m);
    }
}
