package io.geows.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Objects;

/**
 * Checks JSON the application hands the node (published data, an interceptor's replacement, an RPC
 * result): it goes into clients' frames as it is, so a mistake would break every receiver's
 * connection; it fails the call instead.
 */
final class AppJson {
    private static final JsonFactory JSON = new JsonFactory();

    private AppJson() {
    }

    /**
     * Returns {@code data} when it is one JSON value in valid Unicode.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static String check(String data) {
        Objects.requireNonNull(data, "jsonData");
        try (JsonParser p = JSON.createParser(data)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new IllegalArgumentException("jsonData is empty; give a JSON value, e.g. {\"status\":\"shipped\"}");
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("jsonData holds more than one JSON value");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("jsonData is not JSON: " + e.getMessage(), e);
        }
        if (!ClientFrameDecoder.wellFormed(data)) {
            throw new IllegalArgumentException("jsonData holds a lone surrogate (not valid Unicode)");
        }
        return data;
    }
}
