package io.geows;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An {@link RpcHandler}'s answer: a {@link #result(String) result} or an {@link #error(String, String)
 * error} of the application's own. Immutable.
 *
 * @since 0.2.0
 */
public final class RpcReply {
    private static final Pattern CODE = Pattern.compile("[a-z][a-z0-9_]{0,31}");
    /** The prefix of the application's error codes on the wire: {@value}. */
    public static final String APPLICATION_CODE_PREFIX = "app.";

    private final String result;
    private final String errorCode;
    private final String message;

    private RpcReply(String result, String errorCode, String message) {
        this.result = result;
        this.errorCode = errorCode;
        this.message = message;
    }

    /**
     * A result: the client's call completes with this data.
     *
     * @param jsonData one JSON value; checked when the reply is sent (not JSON: the client gets
     *                 {@link ErrorCode#HANDLER_FAILED})
     */
    public static RpcReply result(String jsonData) {
        return new RpcReply(Objects.requireNonNull(jsonData, "jsonData"), null, null);
    }

    /**
     * An error of the application's own: the client gets an {@code error} with code {@code app.<code>}
     * (e.g. {@code app.not_found}) and this message.
     *
     * @param code 1-32 lower-case letters, digits or {@code _}, starting with a letter
     * @throws IllegalArgumentException when the code is malformed
     */
    public static RpcReply error(String code, String message) {
        return new RpcReply(null, applicationCode(code), Objects.requireNonNull(message, "message"));
    }

    /** {@code app.<code>}, checked. */
    static String applicationCode(String code) {
        Objects.requireNonNull(code, "code");
        if (!CODE.matcher(code).matches()) {
            throw new IllegalArgumentException("error code '" + code + "' must be 1-32 lower-case letters, digits or '_', "
                    + "starting with a letter (the client sees it as '" + APPLICATION_CODE_PREFIX + "<code>')");
        }
        return APPLICATION_CODE_PREFIX + code;
    }

    /** Whether this is an error. */
    public boolean isError() {
        return errorCode != null;
    }

    /** The result's JSON, or {@code null} for an error. */
    public String result() {
        return result;
    }

    /** The wire error code ({@code app.<code>}), or {@code null} for a result. */
    public String errorCode() {
        return errorCode;
    }

    /** The error's message, or {@code null} for a result. */
    public String message() {
        return message;
    }

    @Override
    public String toString() {
        return isError() ? "error(" + errorCode + ": " + message + ")" : "result(" + result + ")";
    }
}
