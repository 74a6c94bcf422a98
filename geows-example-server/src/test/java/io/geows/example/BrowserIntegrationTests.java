package io.geows.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The demo page (which runs on geows-js) in a real headless Chromium, driven by playwright-core
 * (browser-tests/chat.test.mjs): two pages on two regions chat and see each other; one region is
 * stopped and the page on it fails over and keeps chatting with nothing lost or repeated. Screenshots land in target/screenshots.
 * scripts/test.sh installs Chromium and playwright-core when missing.
 */
class BrowserIntegrationTests {

    @Test
    @DisplayName("two browser pages in two regions chat; one region stops; its page fails over and nothing is lost")
    void chatAndFailOverInARealBrowser() throws Exception {
        Path repo = NodeScripts.REPO;
        Path script = repo.resolve("browser-tests/chat.test.mjs");
        assertThat(repo.resolve("browser-tests/node_modules/playwright-core"))
                .as("playwright-core is installed: run scripts/test.sh (or npm ci --prefix browser-tests)").isDirectory();
        String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
        assertThat(Path.of(chromium)).as("Chromium at %s: run scripts/test.sh (or sudo apt-get install chromium), or set CHROMIUM",
                chromium).isExecutable();
        Path shots = Path.of("target", "screenshots").toAbsolutePath();
        try (ExampleServer server = ExampleServer.demo("127.0.0.1", 0, 0, 0)) {
            String output = NodeScripts.run(List.of(NodeScripts.node(), script.toString(),
                    "http://127.0.0.1:" + server.httpPort() + "/", shots.toString()), repo, Map.of("CHROMIUM", chromium),
                    Duration.ofMinutes(2), "the browser test");
            assertThat(output).contains("\"ok\":true");
        }
        assertThat(shots.resolve("ann-us-east.png")).isRegularFile();
        assertThat(Files.size(shots.resolve("bob-failed-over.png"))).isPositive();
    }
}
