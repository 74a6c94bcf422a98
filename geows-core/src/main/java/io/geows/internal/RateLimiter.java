package io.geows.internal;

/**
 * One session's frame rate limit: a token bucket ({@code rate} per second, {@code burst} at once),
 * plus a flood detector. A frame over the limit is refused; a session that has more frames refused
 * within one second than its rate (it sends more than twice its rate) is to be closed. Thread-safe.
 */
final class RateLimiter {
    /** What to do with a frame. */
    enum Verdict { ALLOWED, REFUSED, CLOSE }

    private static final long SECOND = 1_000_000_000L;

    private final double perNano;
    private final int burst;
    private final int rate;
    private double tokens;
    private long last;
    private long windowStart;
    private int refusedInWindow;

    RateLimiter(int rate, int burst) {
        this.rate = rate;
        this.burst = burst;
        this.perNano = rate / (double) SECOND;
        this.tokens = burst;
        this.last = System.nanoTime();
        this.windowStart = last;
    }

    synchronized Verdict acquire(long now) {
        tokens = Math.min(burst, tokens + (now - last) * perNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return Verdict.ALLOWED;
        }
        if (now - windowStart > SECOND) {
            windowStart = now;
            refusedInWindow = 0;
        }
        return ++refusedInWindow > rate ? Verdict.CLOSE : Verdict.REFUSED;
    }
}
