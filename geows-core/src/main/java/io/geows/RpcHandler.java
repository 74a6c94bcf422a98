package io.geows;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Answers a client's {@code rpc} frame for one method: the way a browser asks the backend for
 * something over the socket it already has. Register with {@link GeoWsNode.Builder#rpc(String, RpcHandler)}.
 *
 * <p>The client gets an {@code rpc} frame with the result, or an {@code error}: the handler's own
 * ({@link RpcReply#error}, code {@code app.<code>}); {@link ErrorCode#UNKNOWN_METHOD} for a method no
 * handler is registered for; {@link ErrorCode#TIMEOUT} when no reply comes within
 * {@link GeoWsNode.Builder#hookTimeout}; {@link ErrorCode#HANDLER_FAILED} when the handler throws or
 * fails the stage (logged; the details stay on the server). Calls count against the session's rate
 * limit, and at most {@link NodeLimits#maxRpcsInFlight()} of a session's calls run at once.
 *
 * <p>Threading: called on the node's hook executor; may block there, or complete the stage later.
 * Calls of one session may run concurrently.
 *
 * @since 0.2.0
 */
@FunctionalInterface
public interface RpcHandler {

    /**
     * Answers one call.
     *
     * @return the reply, now or later; never {@code null}
     */
    CompletionStage<RpcReply> handle(RpcCall call);

    /** A handler from a function that answers right away (it may block: it runs on the hook executor). */
    static RpcHandler of(Function<RpcCall, RpcReply> answer) {
        Objects.requireNonNull(answer, "answer");
        return call -> CompletableFuture.completedFuture(answer.apply(call));
    }
}
