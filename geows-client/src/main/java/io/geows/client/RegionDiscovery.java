package io.geows.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.client.internal.DaemonThreads;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns the regions from a node's {@code /regions}:
 * {@code {"regions":[{"region":"eu-west","url":"ws://...","ready":true}]}}.
 */
final class RegionDiscovery {
    private static final Logger log = LoggerFactory.getLogger(RegionDiscovery.class);

    /** A region as listed, and whether it said it is ready. */
    record Listed(Region region, boolean ready) {
    }

    private RegionDiscovery() {
    }

    /** Fetches on a short-lived thread of its own (a blocking HTTP call must not hold the client's loop). */
    static CompletableFuture<List<Listed>> fetch(URI url, Duration timeout, javax.net.ssl.SSLContext tls) {
        CompletableFuture<List<Listed>> result = new CompletableFuture<>();
        new DaemonThreads("geows-client-regions").newThread(() -> {
            try {
                result.complete(parse(get(url, timeout, tls)));
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
            }
        }).start();
        return result;
    }

    private static byte[] get(URI url, Duration timeout, javax.net.ssl.SSLContext tls) throws IOException {
        HttpURLConnection http = (HttpURLConnection) url.toURL().openConnection();
        if (tls != null && http instanceof javax.net.ssl.HttpsURLConnection https) {
            https.setSSLSocketFactory(tls.getSocketFactory());
        }
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        http.setConnectTimeout(millis);
        http.setReadTimeout(millis);
        http.setRequestProperty("Accept", "application/json");
        try {
            int status = http.getResponseCode();
            if (status != 200) {
                throw new IOException("HTTP " + status);
            }
            try (InputStream in = http.getInputStream()) {
                return in.readAllBytes();
            }
        } finally {
            http.disconnect();
        }
    }

    static List<Listed> parse(byte[] body) throws IOException {
        JsonNode root = Frames.JSON.readTree(body);
        JsonNode regions = root == null ? null : root.get("regions");
        if (regions == null || !regions.isArray()) {
            throw new IOException("the answer has no \"regions\" array");
        }
        List<Listed> out = new ArrayList<>();
        for (JsonNode r : regions) {
            try {
                out.add(new Listed(new Region(r.path("region").asText(), URI.create(r.path("url").asText())),
                        r.path("ready").asBoolean(true)));
            } catch (IllegalArgumentException e) {
                log.warn("ignoring a region listed as {}: {}", r, e.getMessage());
            }
        }
        return out;
    }
}
