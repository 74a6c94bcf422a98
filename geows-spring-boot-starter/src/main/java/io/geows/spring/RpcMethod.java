package io.geows.spring;

import io.geows.RpcHandler;
import java.util.Objects;

/**
 * An RPC method the application answers: declare one as a bean and the node registers it.
 *
 * <pre>{@code
 * @Bean
 * RpcMethod orderStatus(Orders orders) {
 *     return new RpcMethod("order.status", call -> CompletableFuture.completedFuture(RpcReply.result(orders.statusJson(call.data()))));
 * }
 * }</pre>
 *
 * @param name    the method name clients call
 * @param handler its handler
 * @since 0.1.0
 */
public record RpcMethod(String name, RpcHandler handler) {
    /** Checks both are set. */
    public RpcMethod {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(handler, "handler");
    }
}
