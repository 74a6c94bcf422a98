package io.geows.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * geows-js, the browser and Node.js client, built (TypeScript, the minified bundle) and tested with
 * Node's test runner against real nodes: this module's jar, packaged before the integration tests,
 * started in two to four regions on real redis-server processes (geows-js/test/client.test.mjs).
 * scripts/test.sh installs geows-js's npm dependencies when missing.
 */
class JsClientIntegrationTests {

    @Test
    @DisplayName("geows-js against real regions: delivery, failover after kill -9, goaway, refresh, every error code")
    void jsClient() throws Exception {
        Path js = NodeScripts.REPO.resolve("geows-js");
        assertThat(js.resolve("node_modules/typescript"))
                .as("geows-js's npm packages are installed: run scripts/test.sh (or npm ci --prefix geows-js)").isDirectory();
        String output = NodeScripts.run(List.of(NodeScripts.npm(), "test"), js, Map.of(), Duration.ofMinutes(4),
                "geows-js's tests");
        System.out.println(output.lines().filter(l -> l.startsWith("# ") || l.startsWith("geows.min.js"))
                .reduce("geows-js:", (a, b) -> a + "\n  " + b));
        assertThat(output).contains("# fail 0").doesNotContain("# pass 0");
    }
}
