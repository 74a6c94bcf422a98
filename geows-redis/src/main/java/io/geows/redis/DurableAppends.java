package io.geows.redis;

import io.geows.BrokerUnavailableException;
import io.geows.spi.Appended;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Room appends acknowledged once {@code replicas} replicas hold them (see
 * {@link RedisBroker.Builder#replicasToAck}), by group commit on the append connection: one
 * {@code WAIT} in flight at a time covers every append sent before it (Redis runs a connection's
 * commands in order, and {@code WAIT} counts every earlier write of its connection); appends sent
 * while it waits are covered by the next one. Once a batch is replicated its messages are published
 * in offset order and acknowledged; the append script stored them without publishing, so subscribers
 * never see a message a failover could still lose.
 */
final class DurableAppends {
    private final RedisBroker broker;
    private final int replicas;
    private final long timeoutMillis;
    private final Object lock = new Object();
    /** Appends sent and not yet covered by a {@code WAIT}; guarded by the lock. */
    private List<Entry> unwaited = new ArrayList<>();
    private boolean waiting;

    /** One append: the script's answer, what to publish, and the acknowledgement to complete. */
    private record Entry(CompletableFuture<Appended> stored, String channel, byte[] payload,
                         CompletableFuture<Appended> done) {
    }

    DurableAppends(RedisBroker broker, int replicas, Duration timeout) {
        this.broker = broker;
        this.replicas = replicas;
        this.timeoutMillis = timeout.toMillis();
    }

    /**
     * Sends an append (the script, told not to publish) and completes once it is replicated and
     * published.
     *
     * @param script runs the append script on the append connection
     */
    CompletableFuture<Appended> append(Function<RedisClusterAsyncCommands<String, byte[]>, CompletableFuture<Appended>> script,
                                       String channel, byte[] payload) {
        CompletableFuture<Appended> done = new CompletableFuture<>();
        synchronized (lock) {
            // Under the lock: the order entries are listed in is the order the commands were sent.
            unwaited.add(new Entry(broker.callAppend(script), channel, payload, done));
            if (!waiting) {
                sendWait();
            }
        }
        return done;
    }

    /** Sends a {@code WAIT} covering every append sent so far; under the lock. */
    private void sendWait() {
        waiting = true;
        List<Entry> batch = unwaited;
        unwaited = new ArrayList<>();
        broker.<Long>callAppend(c -> c.waitForReplication(replicas, timeoutMillis).toCompletableFuture())
                .whenComplete((acked, err) -> CompletableFuture.allOf(batch.stream()
                        .map(e -> e.stored().handle((a, x) -> null)).toArray(CompletableFuture[]::new))
                        // (normally complete already; an append that fell back to EVAL answers after the WAIT)
                        .whenComplete((x, y) -> finish(batch, acked, err)));
    }

    private void finish(List<Entry> batch, Long acked, Throwable waitError) {
        boolean replicated = waitError == null && acked != null && acked >= replicas;
        for (Entry e : batch) {
            Throwable stored = e.stored().handle((a, err) -> err).join();
            if (stored != null) {
                e.done().completeExceptionally(stored);
            } else if (!replicated) {
                e.done().completeExceptionally(waitError instanceof BrokerUnavailableException b ? b
                        : new BrokerUnavailableException("Redis at " + broker.address() + ": the append reached "
                                + (acked == null ? "no" : acked) + " of " + replicas + " replicas within " + timeoutMillis
                                + " ms; not acknowledged (send it again under the same id)", waitError));
            } else {
                Appended a = e.stored().join();
                // A duplicate is published again too: its first append may have failed its WAIT and never
                // been published. Members that have it drop the copy (same key, same offset).
                byte[] framed = frame(a, e.payload());
                broker.callAppend(c -> c.publish(e.channel(), framed).toCompletableFuture());
                e.done().complete(a);
            }
        }
        synchronized (lock) {
            waiting = false;
            if (!unwaited.isEmpty()) {
                sendWait();
            }
        }
    }

    /** {@code "G1 <offset> <epoch>\n" + payload}: what the append script publishes (see {@link Framing}). */
    static byte[] frame(Appended a, byte[] payload) {
        byte[] header = ("G1 " + a.offset() + " " + a.epoch() + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[header.length + payload.length];
        System.arraycopy(header, 0, out, 0, header.length);
        System.arraycopy(payload, 0, out, header.length, payload.length);
        return out;
    }
}
