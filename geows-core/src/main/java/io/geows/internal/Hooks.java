package io.geows.internal;

import io.geows.PublishDecision;
import io.geows.PublishInterceptor;
import io.geows.PublishRequest;
import io.geows.RpcCall;
import io.geows.RpcHandler;
import io.geows.RpcReply;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Calls the application's hooks that answer requests (the publish interceptor, RPC handlers) on the
 * hook executor, each within the hook timeout.
 */
final class Hooks {
    private final PublishInterceptor interceptor;
    private final Map<String, RpcHandler> methods;
    private final Executor executor;
    private final Duration timeout;

    Hooks(PublishInterceptor interceptor, Map<String, RpcHandler> methods, Executor executor, Duration timeout) {
        this.interceptor = interceptor;
        this.methods = Map.copyOf(methods);
        this.executor = executor;
        this.timeout = timeout;
    }

    Executor executor() {
        return executor;
    }

    Duration timeout() {
        return timeout;
    }

    boolean intercepting() {
        return interceptor != null;
    }

    boolean hasMethod(String method) {
        return methods.containsKey(method);
    }

    /** The interceptor's decision; fails with a {@link java.util.concurrent.TimeoutException} when late. */
    CompletableFuture<PublishDecision> intercept(PublishRequest request) {
        return call(() -> interceptor.intercept(request));
    }

    /** The handler's reply; fails with a {@link java.util.concurrent.TimeoutException} when late. */
    CompletableFuture<RpcReply> call(RpcCall call) {
        RpcHandler handler = methods.get(call.method());
        return call(() -> handler.handle(call));
    }

    private <T> CompletableFuture<T> call(Supplier<CompletionStage<T>> hook) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    CompletionStage<T> stage = Objects.requireNonNull(hook.get(), "the hook returned null");
                    stage.whenComplete((v, err) -> {
                        if (err != null) {
                            answer.completeExceptionally(err);
                        } else if (v == null) {
                            answer.completeExceptionally(new NullPointerException("the hook answered null"));
                        } else {
                            answer.complete(v);
                        }
                    });
                } catch (RuntimeException | Error e) {
                    answer.completeExceptionally(e);
                }
            });
        } catch (RuntimeException e) { // the executor refused (shut down, or full)
            answer.completeExceptionally(e);
        }
        return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
