package io.geows;

import java.util.Objects;

/**
 * What a {@link PublishInterceptor} decided: {@link #accept()}, {@link #acceptWith(String)} other
 * data, or {@link #reject(String) reject}. Immutable.
 *
 * @since 0.2.0
 */
public final class PublishDecision {
    private static final PublishDecision ACCEPT = new PublishDecision(null, null, null);

    private final String data;
    private final String errorCode;
    private final String message;

    private PublishDecision(String data, String errorCode, String message) {
        this.data = data;
        this.errorCode = errorCode;
        this.message = message;
    }

    /** Publish the message as the client sent it. */
    public static PublishDecision accept() {
        return ACCEPT;
    }

    /**
     * Publish the message with this {@code data} instead: what every member and the history get.
     *
     * @param jsonData one JSON value; checked when the decision is applied (not JSON: the client gets
     *                 {@link ErrorCode#HANDLER_FAILED})
     */
    public static PublishDecision acceptWith(String jsonData) {
        return new PublishDecision(Objects.requireNonNull(jsonData, "jsonData"), null, null);
    }

    /**
     * Refuse the message: the client gets an {@code error} with code {@code forbidden} and this message.
     */
    public static PublishDecision reject(String message) {
        return new PublishDecision(null, ErrorCode.FORBIDDEN.wireName(), Objects.requireNonNull(message, "message"));
    }

    /**
     * Refuse the message with a code of the application's own: the client gets an {@code error} with
     * code {@code app.<code>} (e.g. {@code app.too_long}) and this message.
     *
     * @param code 1-32 lower-case letters, digits or {@code _}, starting with a letter
     * @throws IllegalArgumentException when the code is malformed
     */
    public static PublishDecision reject(String code, String message) {
        return new PublishDecision(null, RpcReply.applicationCode(code), Objects.requireNonNull(message, "message"));
    }

    /** Whether the message is refused. */
    public boolean isRejected() {
        return errorCode != null;
    }

    /** The replacement data, or {@code null} to keep the client's. */
    public String data() {
        return data;
    }

    /** The wire error code of a rejection ({@code forbidden} or {@code app.<code>}), or {@code null}. */
    public String errorCode() {
        return errorCode;
    }

    /** The rejection's message, or {@code null}. */
    public String message() {
        return message;
    }

    @Override
    public String toString() {
        return isRejected() ? "reject(" + errorCode + ": " + message + ")" : data == null ? "accept" : "acceptWith(" + data + ")";
    }
}
