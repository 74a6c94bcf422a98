package io.geows;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Who a session is, as its {@link Authenticator} established it.
 *
 * @param userId    the user id; becomes {@code from} on everything the session sends
 * @param claims    further facts from the token (e.g. allowed rooms), never {@code null}
 * @param expiresAt when the credential stops being accepted ({@code null}: never; for a JWT its
 *                  {@code exp} plus the authenticator's clock skew). Before then the node asks the
 *                  client for a fresh token ({@code refresh}); a session still holding an expired
 *                  credential is closed with {@link CloseCodes#TOKEN_EXPIRED}.
 * @since 0.1.0
 */
public record Identity(String userId, Map<String, Object> claims, Instant expiresAt) {
    /** Validates the user id and copies the claims. */
    public Identity {
        Objects.requireNonNull(userId, "userId");
        if (userId.isBlank()) {
            throw new IllegalArgumentException("userId must not be blank");
        }
        claims = Map.copyOf(claims);
    }

    /** An identity that does not expire. */
    public Identity(String userId, Map<String, Object> claims) {
        this(userId, claims, null);
    }

    /** An identity without claims that does not expire. */
    public static Identity of(String userId) {
        return new Identity(userId, Map.of(), null);
    }
}
