package io.geows.client;

import java.util.Objects;

/**
 * A change of a client's {@link ConnectionState}.
 *
 * @param state  the new state, not null
 * @param region the region concerned: the one connected to ({@code CONNECTED}, {@code FAILED_OVER}),
 *               the one lost ({@code RECONNECTING}), or the last one used ({@code CLOSED});
 *               {@code null} when there is none yet
 * @param cause  why: the reason a session was lost for {@code RECONNECTING}, the failure for a
 *               {@code CLOSED} that was not asked for by the application; else {@code null}
 * @since 0.1.0
 */
public record ConnectionEvent(ConnectionState state, String region, Throwable cause) {
    /**
     * Checks the values.
     *
     * @param state  the new state
     * @param region the region concerned, or {@code null}
     * @param cause  why, or {@code null}
     * @throws NullPointerException when {@code state} is null
     */
    public ConnectionEvent {
        Objects.requireNonNull(state, "state");
    }
}
