package io.geows.internal;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Admission for room joins (and the rooms of a resuming {@code hello}): at most {@code maxInFlight}
 * run at once; more wait in a FIFO queue of at most {@code maxWaiting}, so a join storm shows up as
 * latency, not as failures or an unbounded pile of broker commands; past that bound a join is refused
 * ({@link #submit} returns null) and the client is told to try again later. Thread-safe.
 */
final class JoinGate {
    private final int maxInFlight;
    private final int maxWaiting;
    private final Executor executor;
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private int inFlight;

    /**
     * @param executor runs a waiting join when a slot frees (not the completing thread's stack: a
     *                 broker that answers at once must not recurse through the whole queue)
     */
    JoinGate(int maxInFlight, int maxWaiting, Executor executor) {
        this.maxInFlight = maxInFlight;
        this.maxWaiting = maxWaiting;
        this.executor = executor;
    }

    /**
     * Runs {@code work} now if a slot is free, else when one frees; the result follows the work's.
     * Null when the queue is full: nothing was started.
     */
    <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable start = () -> {
            CompletableFuture<T> f;
            try {
                f = work.get();
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((v, err) -> {
                release();
                if (err != null) {
                    result.completeExceptionally(err);
                } else {
                    result.complete(v);
                }
            });
        };
        synchronized (this) {
            if (inFlight >= maxInFlight) {
                if (waiting.size() >= maxWaiting) {
                    return null;
                }
                waiting.add(start);
                return result;
            }
            inFlight++;
        }
        start.run();
        return result;
    }

    private void release() {
        Runnable next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                inFlight--;
                return;
            }
        }
        executor.execute(next); // the slot passes to it
    }

    /** Joins running and waiting (for metrics and tests). */
    synchronized int pending() {
        return inFlight + waiting.size();
    }
}
