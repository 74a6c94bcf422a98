package io.geows.client;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How long to wait before the next attempt after {@code attempt} consecutive failures (as Lettuce's
 * {@code Delay}). Use the static factories; the implementations are not API.
 *
 * <pre>{@code
 * Backoff.fullJitter(Duration.ofMillis(100), Duration.ofSeconds(5))  // the default for reconnects
 * }</pre>
 *
 * <p>Threading: implementations returned by the factories are immutable and thread-safe.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface Backoff {
    /**
     * The delay before the next attempt.
     *
     * @param attempt how many attempts failed in a row, at least 1
     * @return the delay, never negative or null
     * @throws IllegalArgumentException when {@code attempt} is less than 1
     */
    Duration delay(int attempt);

    /**
     * The same delay every time.
     *
     * @param delay zero or more
     * @return the backoff
     * @throws IllegalArgumentException when {@code delay} is negative
     */
    static Backoff constant(Duration delay) {
        return new ConstantBackoff(checkNotNegative("delay", delay));
    }

    /**
     * Doubles from {@code initial} after each failure, capped at {@code max}:
     * {@code min(max, initial * 2^(attempt - 1))}.
     *
     * @param initial the first delay, positive
     * @param max     the cap, at least {@code initial}
     * @return the backoff
     * @throws IllegalArgumentException when {@code initial} is not positive or {@code max} is below it
     */
    static Backoff exponential(Duration initial, Duration max) {
        return new ExponentialBackoff(initial, max);
    }

    /**
     * Exponential with full jitter: a uniformly random delay between zero and
     * {@code min(max, initial * 2^(attempt - 1))}, so that many clients that lost the same region
     * do not come back in the same instant (see "Exponential Backoff and Jitter", AWS architecture
     * blog).
     *
     * @param initial the cap of the first delay, positive
     * @param max     the largest delay, at least {@code initial}
     * @return the backoff
     * @throws IllegalArgumentException when {@code initial} is not positive or {@code max} is below it
     */
    static Backoff fullJitter(Duration initial, Duration max) {
        return new FullJitterBackoff(new ExponentialBackoff(initial, max), null);
    }

    /**
     * As {@link #fullJitter(Duration, Duration)}, drawing from the given generator (for tests that
     * need repeatable delays).
     *
     * @param initial the cap of the first delay, positive
     * @param max     the largest delay, at least {@code initial}
     * @param random  the source of randomness; must be safe for the threads that use the backoff
     * @return the backoff
     * @throws IllegalArgumentException when {@code initial} is not positive or {@code max} is below it
     */
    static Backoff fullJitter(Duration initial, Duration max, RandomGenerator random) {
        return new FullJitterBackoff(new ExponentialBackoff(initial, max), Objects.requireNonNull(random, "random"));
    }

    private static Duration checkNotNegative(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, was " + d);
        }
        return d;
    }
}
