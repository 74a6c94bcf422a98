package io.geows.client;

/**
 * One user in a room, and where that user is connected.
 *
 * @param user   the user id
 * @param region the region of the user's node
 * @param node   the node id
 * @since 0.1.0
 */
public record Member(String user, String region, String node) {
}
