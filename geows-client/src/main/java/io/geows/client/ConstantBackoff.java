package io.geows.client;

import java.time.Duration;

/** The same delay after every failure. */
record ConstantBackoff(Duration delay) implements Backoff {
    @Override
    public Duration delay(int attempt) {
        ExponentialBackoff.checkAttempt(attempt);
        return delay;
    }
}
