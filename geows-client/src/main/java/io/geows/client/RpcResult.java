package io.geows.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * The answer to {@link GeoWsClient#rpc(String, Object)}: what the application's handler on the node
 * returned. Immutable.
 *
 * @since 0.2.0
 */
public final class RpcResult {
    private final String method;
    private final JsonNode data;

    RpcResult(String method, JsonNode data) {
        this.method = method;
        this.data = data;
    }

    /** The method called. */
    public String method() {
        return method;
    }

    /** The result as JSON text, e.g. {@code {"status":"shipped"}}. */
    public String dataJson() {
        return data.toString();
    }

    /**
     * The result bound to a type with Jackson (a record, {@code Map.class}, {@code String.class}).
     *
     * @return the value; {@code null} when the result is JSON {@code null}
     * @throws IllegalArgumentException when the result does not fit the type
     */
    public <T> T data(Class<T> type) {
        Objects.requireNonNull(type, "type");
        try {
            return Frames.JSON.treeToValue(data, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the result of rpc '" + method + "' cannot be read as " + type.getName()
                    + ": " + e.getMessage() + "; use dataJson() to see it", e);
        }
    }

    @Override
    public String toString() {
        String json = dataJson();
        return "RpcResult[" + method + ": " + (json.length() <= 80 ? json : json.substring(0, 77) + "...") + "]";
    }
}
