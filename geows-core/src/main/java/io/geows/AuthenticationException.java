package io.geows;

/**
 * An {@link Authenticator} refused a token. The message is sent to the client, so it must not
 * reveal secrets.
 *
 * @since 0.1.0
 */
public class AuthenticationException extends GeoWsException {
    private static final long serialVersionUID = 1L;

    /** With a message safe to show the client. */
    public AuthenticationException(String message) {
        super(message);
    }
}
