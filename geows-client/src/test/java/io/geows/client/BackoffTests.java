package io.geows.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTests {
    private static final Duration BASE = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofSeconds(5);

    @Test
    void exponentialDoublesFromTheInitialDelayUpToTheCap() {
        Backoff b = Backoff.exponential(BASE, MAX);

        assertThat(b.delay(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(b.delay(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(b.delay(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(b.delay(6)).isEqualTo(Duration.ofMillis(3200));
        assertThat(b.delay(7)).isEqualTo(MAX);
        assertThat(b.delay(Integer.MAX_VALUE)).as("no overflow, ever").isEqualTo(MAX);
    }

    @Test
    void fullJitterScalesTheExponentialCapByTheRandomDraw() {
        assertThat(Backoff.fullJitter(BASE, MAX, fixed(0.0)).delay(3)).isEqualTo(Duration.ZERO);
        assertThat(Backoff.fullJitter(BASE, MAX, fixed(0.5)).delay(3)).isEqualTo(Duration.ofMillis(200));
        assertThat(Backoff.fullJitter(BASE, MAX, fixed(0.5)).delay(30)).isEqualTo(Duration.ofMillis(2500));
        assertThat(Backoff.fullJitter(BASE, MAX, fixed(0.999_999)).delay(1)).isLessThan(BASE).isGreaterThan(Duration.ofMillis(99));
    }

    @Test
    void fullJitterStaysWithinZeroAndTheCapAndSpreadsOut() {
        Backoff b = Backoff.fullJitter(BASE, MAX, new Random(42));
        Backoff cap = Backoff.exponential(BASE, MAX);
        for (int attempt = 1; attempt <= 12; attempt++) {
            Duration min = Duration.ofDays(1);
            Duration max = Duration.ZERO;
            for (int i = 0; i < 200; i++) {
                Duration d = b.delay(attempt);
                assertThat(d).isBetween(Duration.ZERO, cap.delay(attempt));
                min = d.compareTo(min) < 0 ? d : min;
                max = d.compareTo(max) > 0 ? d : max;
            }
            // Full jitter uses the whole range: clients that failed together do not retry together.
            assertThat(min).isLessThan(cap.delay(attempt).dividedBy(10));
            assertThat(max).isGreaterThan(cap.delay(attempt).multipliedBy(9).dividedBy(10));
        }
    }

    @Test
    void theDefaultFullJitterNeedsNoRandomAndStaysInBounds() {
        Backoff b = Backoff.fullJitter(BASE, MAX);
        for (int i = 0; i < 100; i++) {
            assertThat(b.delay(2)).isBetween(Duration.ZERO, Duration.ofMillis(200));
        }
    }

    @Test
    void constantIsTheSameEveryTime() {
        Backoff b = Backoff.constant(Duration.ofMillis(7));

        assertThat(b.delay(1)).isEqualTo(b.delay(100)).isEqualTo(Duration.ofMillis(7));
    }

    @Test
    void badArgumentsAreRejectedWithTheValue() {
        assertThatThrownBy(() -> Backoff.exponential(Duration.ZERO, MAX)).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> Backoff.exponential(MAX, BASE)).hasMessageContaining("PT5S").hasMessageContaining("PT0.1S");
        assertThatThrownBy(() -> Backoff.constant(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Backoff.exponential(BASE, MAX).delay(0)).hasMessageContaining("was 0");
        assertThatThrownBy(() -> Backoff.fullJitter(BASE, MAX).delay(-3)).hasMessageContaining("was -3");
    }

    /** A random source that always draws the same double. */
    private static Random fixed(double value) {
        return new Random() {
            @Override
            public double nextDouble() {
                return value;
            }
        };
    }
}
