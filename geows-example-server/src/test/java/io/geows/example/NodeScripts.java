package io.geows.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Node.js program of the repository (the browser test, geows-js's tests) as a test step: its
 * output goes to a file (read after it ends, never blocking on a pipe), and it is killed when it
 * runs past its time.
 */
final class NodeScripts {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    private NodeScripts() {
    }

    /** Runs {@code command} in {@code dir}; returns its output; fails the test when it fails or overruns. */
    static String run(List<String> command, Path dir, Map<String, String> env, Duration timeout, String what)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("geows-node-", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(finished).as("%s finished within %s; its output:%n%s", what, timeout, output).isTrue();
            assertThat(p.exitValue()).as("%s output:%n%s", what, output).isZero();
            return output;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** The node executable: Debian's or a local install, else the one on PATH. */
    static String node() {
        for (String candidate : new String[] {"/usr/bin/node", "/usr/local/bin/node"}) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return "node";
    }

    /** The npm executable next to {@link #node()}, else the one on PATH. */
    static String npm() {
        Path next = Path.of(node()).resolveSibling("npm");
        return Files.isExecutable(next) ? next.toString() : "npm";
    }
}
