package io.geows.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/** A uniformly random delay in {@code [0, exponential cap]}. */
final class FullJitterBackoff implements Backoff {
    private final ExponentialBackoff cap;
    /** Null: the calling thread's {@link ThreadLocalRandom}, which needs no locking. */
    private final RandomGenerator random;

    FullJitterBackoff(ExponentialBackoff cap, RandomGenerator random) {
        this.cap = cap;
        this.random = random;
    }

    @Override
    public Duration delay(int attempt) {
        long capNanos = cap.capNanos(attempt);
        double r = (random != null ? random : ThreadLocalRandom.current()).nextDouble();
        return Duration.ofNanos((long) (capNanos * r));
    }

    @Override
    public String toString() {
        return "fullJitter(" + cap + ")";
    }
}
