package io.geows.testkit;

/**
 * Thrown when a test server process ({@link RedisServer}, {@link NatsServer}) cannot be found,
 * started or stopped. The message says what failed and what to do about it, and when the process
 * ran, it ends with the last lines of the process's log.
 *
 * @since 0.1.0
 */
public class ServerProcessException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message and no cause.
     *
     * @param message what failed and what to do about it
     */
    public ServerProcessException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what failed and what to do about it
     * @param cause the underlying failure, may be {@code null}
     */
    public ServerProcessException(String message, Throwable cause) {
        super(message, cause);
    }
}
