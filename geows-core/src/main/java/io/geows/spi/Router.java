package io.geows.spi;

import io.geows.Envelope;

/**
 * Decides where a message sent through this node goes: which broker topics, or nowhere. Called for
 * room and direct messages of clients and of the application ({@code GeoWsNode.publish},
 * {@code sendToUser}); broadcasts are not routed.
 *
 * <p>The default ({@link #defaults()}) sends a room message to the room's topic and a direct message
 * to the inbox of every other node that holds the recipient. To add a rule (tenants, sharding,
 * data residency), decide what the rule is about and hand everything else to the default:
 *
 * <pre>{@code
 * Router tenants = (message, context) -> message.room() != null && message.from() != null
 *         && !message.room().startsWith(tenantOf(message.from()) + ":")
 *         ? Route.reject("rooms of another tenant are closed to you")
 *         : Router.defaults().route(message, context);
 * }</pre>
 *
 * <p>The contract:
 * <ul>
 *   <li>a room message's first topic is where it is stored and what the room's members' nodes
 *       subscribe to: {@code context.topics().room(room)}, unless every node of the cluster routes
 *       the room elsewhere alike; further topics get a copy once it is stored (not on a repeat of
 *       its id). No topic at all refuses the message;</li>
 *   <li>a direct message's topics are the inboxes of the nodes to hand it to
 *       ({@code context.topics().node(id)} for the nodes in {@code context.recipients()}). The node
 *       always delivers to the recipient's sessions on this node itself, so its own inbox is ignored
 *       if returned, and a topic named twice is used once: a direct message is never delivered
 *       twice to a session. No topic means "this node's sessions only";</li>
 *   <li>a {@link Route#reject rejection} reaches a client sender as an {@code error} frame with code
 *       {@code forbidden} and the reason, and fails the application's call.</li>
 * </ul>
 *
 * <p>Threading: called on transport threads; must be thread-safe and must not block.
 *
 * @since 0.1.0
 */
public interface Router {

    /**
     * The default routing: room messages to the room's topic, direct messages to the inbox of every
     * other node that holds the recipient. What a router of one's own delegates to.
     *
     * @since 0.2.0
     */
    static Router defaults() {
        return io.geows.internal.DefaultRouter.INSTANCE;
    }

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
