package io.geows.spi;

import io.geows.Envelope;

/**
 * Decides where a message a local client sent goes: which broker topics, or nowhere.
 *
 * <p>The default ({@link io.geows.GeoWsNode.Builder#router}) sends a room message to the room's
 * topic and a direct message to the inbox of every node that holds the recipient. Replace it to add
 * tenants, sharding or data-residency rules; a {@link Route#reject rejection} reaches the sender as
 * an {@code error} frame with code {@code forbidden}.
 *
 * <p>Threading: called on transport threads; must be thread-safe and must not block.
 *
 * @since 0.1.0
 */
public interface Router {

    /**
     * Routes a message.
     *
     * @param message the message, with identity fields already set by the node
     * @param context topics, this node, and for a direct message where its recipient is connected
     * @return the topics to publish to; for a room message the first one is the room's history
     *         topic (the one its members' nodes subscribe to)
     */
    Route route(Envelope message, RouteContext context);
}
