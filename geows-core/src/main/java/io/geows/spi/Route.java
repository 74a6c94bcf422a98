package io.geows.spi;

import java.util.List;
import java.util.Objects;

/**
 * A {@link Router}'s decision: publish to these topics, or reject.
 *
 * @since 0.1.0
 */
public final class Route {
    private final List<String> topics;
    private final String rejection;

    private Route(List<String> topics, String rejection) {
        this.topics = topics;
        this.rejection = rejection;
    }

    /** Publish to these topics (for a direct message, an empty list means "local sessions only"). */
    public static Route to(List<String> topics) {
        return new Route(List.copyOf(topics), null);
    }

    /** Publish to this topic. */
    public static Route to(String topic) {
        return new Route(List.of(Objects.requireNonNull(topic, "topic")), null);
    }

    /** Refuse the message; {@code reason} is sent to the client in the {@code error} frame. */
    public static Route reject(String reason) {
        return new Route(List.of(), Objects.requireNonNull(reason, "reason"));
    }

    /** The topics, empty when rejected. */
    public List<String> topics() {
        return topics;
    }

    /** Whether the message was refused. */
    public boolean isRejected() {
        return rejection != null;
    }

    /** Why it was refused, or {@code null}. */
    public String rejection() {
        return rejection;
    }
}
