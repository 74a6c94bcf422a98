package io.geows.example;

import static io.geows.example.HttpReplies.respond;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.geows.GeoWsNode;
import io.geows.http.ApiKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The reference server's admin API under {@code /admin/}. */
final class AdminApi {
    private static final Logger log = LoggerFactory.getLogger(ExampleServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApiKeys adminKeys;
    private final List<GeoWsNode> nodes;

    /** @param nodes the server's running nodes (erasure goes through the first) */
    AdminApi(ApiKeys adminKeys, List<GeoWsNode> nodes) {
        this.adminKeys = adminKeys;
        this.nodes = nodes;
    }

    /**
     * The admin API: {@code POST /admin/erase?user=<id>} with {@code Authorization: Bearer <key>} erases
     * the user's messages in every zone ({@link GeoWsNode#eraseUser}) and answers the report as JSON:
     * 200 when every zone erased them, 503 when one could not (send it again). 401 for a missing or
     * wrong key (compared in constant time; nothing done), 404 while no admin key is configured.
     */
    void handle(HttpExchange ex) throws IOException {
        if (adminKeys.isEmpty()) {
            respond(ex, 404, "text/plain", "the admin API is off: start with --admin-keys\n");
            return;
        }
        if (!adminKeys.accept(ex.getRequestHeaders().getFirst("Authorization"))) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            log.warn("admin API: refused a request to {} from {} (missing or wrong key)", ex.getRequestURI().getPath(),
                    ex.getRemoteAddress());
            respond(ex, 401, "application/json", "{\"error\":\"unauthorized\",\"message\":\"missing or wrong admin key\"}");
            return;
        }
        if (!ex.getRequestURI().getPath().equals("/admin/erase")) {
            respond(ex, 404, "application/json", "{\"error\":\"not_found\",\"message\":\"no such admin operation\"}");
            return;
        }
        if (!"POST".equals(ex.getRequestMethod())) {
            respond(ex, 405, "application/json", "{\"error\":\"method_not_allowed\",\"message\":\"use POST\"}");
            return;
        }
        String query = ex.getRequestURI().getRawQuery();
        String user = null;
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.startsWith("user=")) {
                    user = java.net.URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8);
                }
            }
        }
        if (user == null || user.isEmpty() || user.length() > 256 || user.indexOf('\n') >= 0) {
            respond(ex, 400, "application/json", "{\"error\":\"bad_request\",\"message\":\"give ?user=<user id>\"}");
            return;
        }
        ObjectNode body = JSON.createObjectNode().put("user", user);
        try {
            io.geows.ErasureReport report = nodes.get(0).eraseUser(user).get(60, TimeUnit.SECONDS);
            ObjectNode removed = body.putObject("removed");
            report.removed().forEach(removed::put);
            ObjectNode failures = body.putObject("failures");
            report.failures().forEach(failures::put);
            body.put("total", report.total()).put("complete", report.complete());
            log.info("admin API: erased user {}: {}", user, report);
            respond(ex, report.complete() ? 200 : 503, "application/json", JSON.writeValueAsString(body));
        } catch (Exception e) {
            body.put("error", "unavailable").put("message", String.valueOf(e.getMessage()));
            respond(ex, 503, "application/json", JSON.writeValueAsString(body));
        }
    }
}
