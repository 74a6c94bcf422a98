package io.geows;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Sees every message a client publishes to a room before the node accepts it, and decides: accept
 * it, accept it with other {@code data}, or reject it with an error the client gets. For business
 * rules (validation, moderation, enrichment) that the {@link RoomAuthorizer} cannot express. Set
 * with {@link GeoWsNode.Builder#publishInterceptor}.
 *
 * <p>Runs once per message, on the node that the client is connected to, before the message gets
 * an offset: a rejected message is neither stored nor delivered; a changed {@code data} is what
 * every member and the history get. A session's publishes are decided one after the other, so
 * their order is kept.
 *
 * <p>Threading: called on the node's hook executor ({@link GeoWsNode.Builder#hookExecutor}); may
 * block there, or return at once and complete the stage later. A decision that does not come within
 * {@link GeoWsNode.Builder#hookTimeout} fails the publish with {@link ErrorCode#TIMEOUT}; an interceptor
 * that throws (or fails the stage) fails it with {@link ErrorCode#HANDLER_FAILED}, and is logged. Neither
 * closes the session.
 *
 * @since 0.2.0
 */
@FunctionalInterface
public interface PublishInterceptor {

    /**
     * Decides on one publish.
     *
     * @return the decision, now or later; never {@code null}
     */
    CompletionStage<PublishDecision> intercept(PublishRequest request);

    /** An interceptor from a function that decides right away (it may block: it runs on the hook executor). */
    static PublishInterceptor of(Function<PublishRequest, PublishDecision> decide) {
        Objects.requireNonNull(decide, "decide");
        return request -> CompletableFuture.completedFuture(decide.apply(request));
    }
}
