package io.geows;

/**
 * A genuine token (its signature and claims verified) whose expiry has passed, clock skew included.
 * The node answers a {@code hello} with error {@code token_expired} and close code 4003 ("get a new
 * token"), not {@code unauthorized}/4001 ("this credential is wrong"), and a {@code refresh} with
 * error {@code token_expired}. Only throw it for a token whose signature was verified.
 *
 * @since 0.1.0
 */
public class TokenExpiredException extends AuthenticationException {
    private static final long serialVersionUID = 1L;

    /** With a message safe to show the client. */
    public TokenExpiredException(String message) {
        super(message);
    }
}
