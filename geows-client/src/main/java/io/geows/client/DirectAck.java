package io.geows.client;

/**
 * The node's acknowledgement of a direct message.
 *
 * @param id        the message id the client chose
 * @param delivered how many nodes it was sent to (the recipient's sessions may be on several)
 * @since 0.1.0
 */
public record DirectAck(String id, int delivered) {
}
