package io.geows;

import java.util.Map;
import java.util.Objects;

/**
 * Who a session is, as its {@link Authenticator} established it.
 *
 * @param userId the user id; becomes {@code from} on everything the session sends
 * @param claims further facts from the token (e.g. allowed rooms), never {@code null}
 * @since 0.1.0
 */
public record Identity(String userId, Map<String, Object> claims) {
    /** Validates the user id and copies the claims. */
    public Identity {
        Objects.requireNonNull(userId, "userId");
        if (userId.isBlank()) {
            throw new IllegalArgumentException("userId must not be blank");
        }
        claims = Map.copyOf(claims);
    }

    /** An identity without claims. */
    public static Identity of(String userId) {
        return new Identity(userId, Map.of());
    }
}
