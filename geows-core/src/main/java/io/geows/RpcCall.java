package io.geows;

import java.util.Objects;

/**
 * A client's {@code rpc} as an {@link RpcHandler} sees it.
 *
 * @param session who calls, from where
 * @param method  the method name the client gave
 * @param data    the argument as JSON text ({@code null} as JSON when the client sent none)
 * @since 0.2.0
 */
public record RpcCall(SessionInfo session, String method, String data) {
    /** Checks the fields. */
    public RpcCall {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(data, "data");
    }
}
