package io.geows.client;

import java.time.Duration;
import java.util.Objects;

/** {@code min(max, initial * 2^(attempt - 1))}. */
final class ExponentialBackoff implements Backoff {
    private final long initialNanos;
    private final long maxNanos;

    ExponentialBackoff(Duration initial, Duration max) {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial backoff must be positive, was " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max backoff " + max + " must be at least the initial backoff " + initial);
        }
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
    }

    @Override
    public Duration delay(int attempt) {
        return Duration.ofNanos(capNanos(attempt));
    }

    /** The uncapped-by-jitter delay in nanoseconds; doubling stops at the cap, so it never overflows. */
    long capNanos(int attempt) {
        checkAttempt(attempt);
        long d = initialNanos;
        for (int i = 1; i < attempt && d < maxNanos; i++) {
            d = d > maxNanos / 2 ? maxNanos : d * 2;
        }
        return Math.min(d, maxNanos);
    }

    static void checkAttempt(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
        }
    }

    @Override
    public String toString() {
        return "exponential(" + Duration.ofNanos(initialNanos) + ".." + Duration.ofNanos(maxNanos) + ")";
    }
}
