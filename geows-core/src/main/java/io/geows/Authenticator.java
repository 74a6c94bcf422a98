package io.geows;

import java.util.regex.Pattern;

/**
 * Turns the token of a {@code hello} frame into an {@link Identity}.
 *
 * <p>Threading: called on transport threads, concurrently; must be thread-safe and fast (verify a
 * signature, don't call a remote service per connection).
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface Authenticator {

    /**
     * Authenticates a token.
     *
     * @throws AuthenticationException when the token is refused; the client gets an
     *                                 {@code unauthorized} error and close code 4001
     */
    Identity authenticate(String token);

    /**
     * <b>Insecure, for demos and tests:</b> the token <em>is</em> the user id (1–64 letters,
     * digits, {@code . _ - @}). Anyone can claim any name, and every identity may use every room
     * (claim {@code rooms: ["*"]}). {@link GeoWsNode} needs it set explicitly and logs a warning at
     * start when it runs with it.
     */
    static Authenticator insecureTokenAsUserId() {
        return InsecureTokenAuthenticator.INSTANCE;
    }
}

/** The demo authenticator; package-private so that only the factory names it. */
final class InsecureTokenAuthenticator implements Authenticator {
    static final InsecureTokenAuthenticator INSTANCE = new InsecureTokenAuthenticator();
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    private static final java.util.Map<String, Object> ALL_ROOMS = java.util.Map.of("rooms", java.util.List.of("*"));

    @Override
    public Identity authenticate(String token) {
        if (token == null || !USER.matcher(token).matches()) {
            throw new AuthenticationException("token must be a user name of 1-64 letters, digits, '.', '_', '-' or '@'");
        }
        return new Identity(token, ALL_ROOMS);
    }
}
