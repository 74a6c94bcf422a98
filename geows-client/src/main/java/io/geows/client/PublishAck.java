package io.geows.client;

/**
 * The node's acknowledgement of a publish: the message is in the room's history and on its way to
 * every member.
 *
 * @param id        the message id the client chose
 * @param room      the room
 * @param offset    the message's position in the room
 * @param epoch     the room's history epoch
 * @param duplicate {@code true} when the node had already accepted this id (a resend after a lost
 *                  acknowledgement or a failover): not delivered twice, {@code offset} is the
 *                  original one
 * @since 0.1.0
 */
public record PublishAck(String id, String room, long offset, String epoch, boolean duplicate) {
}
