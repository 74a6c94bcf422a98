package io.geows.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Objects;

/**
 * A message received from a node: a room message, a direct message or a broadcast. Immutable.
 *
 * <p>The payload is JSON: read it as text with {@link #dataJson()}, or bind it to a type with
 * {@link #data(Class)}.
 *
 * @since 0.1.0
 */
public final class Message {
    private final String room;
    private final String id;
    private final String from;
    private final String region;
    private final String node;
    private final long timestamp;
    private final long offset;
    private final String epoch;
    private final JsonNode data;
    private final ObjectMapper json;

    Message(String room, String id, String from, String region, String node, long timestamp, long offset,
            String epoch, JsonNode data, ObjectMapper json) {
        this.room = room;
        this.id = id;
        this.from = from;
        this.region = region;
        this.node = node;
        this.timestamp = timestamp;
        this.offset = offset;
        this.epoch = epoch;
        this.data = data;
        this.json = json;
    }

    /**
     * The room, or {@code null} for a direct message or a broadcast.
     *
     * @return the room name
     */
    public String room() {
        return room;
    }

    /**
     * The message id its sender chose.
     *
     * @return the id, not null
     */
    public String id() {
        return id;
    }

    /**
     * The sender's user id, set by the node (never by the sender), or {@code null} for a broadcast.
     *
     * @return the user id
     */
    public String from() {
        return from;
    }

    /**
     * The region of the node that accepted the message.
     *
     * @return the region name
     */
    public String region() {
        return region;
    }

    /**
     * The id of the node that accepted the message.
     *
     * @return the node id
     */
    public String node() {
        return node;
    }

    /**
     * When the accepting node took the message, in milliseconds since the Unix epoch (so
     * {@code System.currentTimeMillis() - timestamp()} is roughly the delivery latency).
     *
     * @return the timestamp
     */
    public long timestamp() {
        return timestamp;
    }

    /**
     * The message's position in its room; 0 for a direct message or a broadcast.
     *
     * @return the offset
     */
    public long offset() {
        return offset;
    }

    /**
     * The room's history epoch, or {@code null} for a direct message or a broadcast.
     *
     * @return the epoch
     */
    public String epoch() {
        return epoch;
    }

    /**
     * The payload as JSON text, e.g. {@code {"text":"hi"}} or {@code "hi"}.
     *
     * @return the JSON, not null
     */
    public String dataJson() {
        return data.toString();
    }

    /**
     * The payload bound to a type with Jackson (e.g. a record, {@code Map.class},
     * {@code String.class}).
     *
     * @param type the type, not null
     * @param <T>  the type
     * @return the value; {@code null} when the payload is JSON {@code null}
     * @throws IllegalArgumentException when the payload does not fit the type
     */
    public <T> T data(Class<T> type) {
        Objects.requireNonNull(type, "type");
        try {
            return json.treeToValue(data, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the data of message '" + id + "' cannot be read as "
                    + type.getName() + ": " + e.getMessage() + "; use dataJson() to see it", e);
        }
    }

    @Override
    public String toString() {
        return "Message[" + (room != null ? room + "@" + offset + " " : "") + id + " from " + from + " via " + region
                + ": " + abbreviate(dataJson()) + "]";
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
