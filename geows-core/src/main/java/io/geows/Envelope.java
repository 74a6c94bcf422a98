package io.geows;

import java.util.Objects;

/**
 * A message as it travels between nodes: what was sent, by whom, from where.
 *
 * <p>The identity fields ({@code from}, {@code region}, {@code node}, {@code timestamp}) are always
 * set by the node that accepted the message from its client, never taken from the client.
 *
 * @param kind      room, direct or broadcast
 * @param id        the message id the sender chose (unique per sender and room)
 * @param room      the room, for {@link Kind#ROOM}; otherwise {@code null}
 * @param to        the recipient user, for {@link Kind#DIRECT}; otherwise {@code null}
 * @param from      the sender's user id ({@code null} for a broadcast from the server)
 * @param region    the origin node's region
 * @param node      the origin node's id
 * @param timestamp origin time, epoch milliseconds
 * @param data      the payload as JSON text
 * @since 0.1.0
 */
public record Envelope(Kind kind, String id, String room, String to, String from, String region, String node,
                       long timestamp, String data) {

    /** What kind of message an envelope holds. */
    public enum Kind {
        /** To every member of a room, in every region; kept in the room's history. */
        ROOM,
        /** To every session of one user, wherever connected. */
        DIRECT,
        /** To every session on every node. */
        BROADCAST
    }

    /** Validates the fields each kind needs. */
    public Envelope {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(data, "data");
        if (kind == Kind.ROOM) {
            Objects.requireNonNull(room, "room");
        }
        if (kind == Kind.DIRECT) {
            Objects.requireNonNull(to, "to");
        }
    }
}
