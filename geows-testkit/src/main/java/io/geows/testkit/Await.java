package io.geows.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a timeout, checking it every few milliseconds. For conditions that
 * offer nothing to block on (a node's readiness, a counter); prefer a queue or future when there is
 * one.
 *
 * @since 0.1.0
 */
public final class Await {
    private Await() {
    }

    /**
     * Waits until the condition holds.
     *
     * @param what described in the failure message
     * @throws AssertionError when it does not hold within the timeout
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        until(() -> what, timeout, condition);
    }

    /** As {@link #until(String, Duration, BooleanSupplier)}, with the description computed on failure. */
    public static void until(Supplier<String> what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 1;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what.get());
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what.get(), e);
            }
            pause = Math.min(pause * 2, 25);
        }
    }
}
