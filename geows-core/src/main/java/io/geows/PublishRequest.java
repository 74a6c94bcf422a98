package io.geows;

import java.util.Objects;

/**
 * A client's publish as a {@link PublishInterceptor} sees it.
 *
 * @param session   who publishes, from where
 * @param room      the room
 * @param messageId the id the client gave the message
 * @param data      the payload as JSON text, as the client sent it
 * @since 0.2.0
 */
public record PublishRequest(SessionInfo session, String room, String messageId, String data) {
    /** Checks the fields. */
    public PublishRequest {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(data, "data");
    }
}
