package io.geows.example;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One example server in its own JVM, for multi-process tests. */
record ServerProcess(Process process, URI ws, URI http) {
    private static final Pattern NODE_LINE = Pattern.compile("node (\\S+) region (\\S+) ws (\\S+) http (\\S+)");

    /** The inter-region keys the test processes sign broker messages with. */
    static final String TEST_KEYS = "test:" + java.util.Base64.getEncoder().encodeToString(
            "test-inter-region-key-32-bytes!!".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    /** Starts {@code ExampleServer --region ... --broker ...} on free ports and waits for its node line. */
    static ServerProcess launch(String region, String nodeId, String broker) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The runnable jar as users run it (Failsafe runs after 'package'); the test classpath when a
        // test is run from an IDE without the jar.
        Path jar = Path.of("target", "geows-example-server.jar");
        List<String> cmd = new ArrayList<>(List.of(javaBin, "-Xmx256m", "-XX:TieredStopAtLevel=1"));
        if (java.nio.file.Files.isRegularFile(jar)) {
            cmd.addAll(List.of("-jar", jar.toString()));
        } else {
            cmd.addAll(List.of("-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                    ExampleServer.class.getName()));
        }
        cmd.addAll(List.of("--region", region, "--node-id", nodeId, "--host", "127.0.0.1", "--port", "0", "--http-port", "0",
                "--broker", broker, "--anonymous", "true", "--inter-region-keys", TEST_KEYS));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Matcher> started = new CompletableFuture<>();
        List<String> lines = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    Matcher m = NODE_LINE.matcher(line);
                    if (m.find()) {
                        started.complete(m);
                    }
                }
                started.completeExceptionally(new IllegalStateException("server exited: " + lines));
            } catch (IOException e) {
                started.completeExceptionally(e);
            }
        }, "example-server-output-" + nodeId);
        reader.setDaemon(true);
        reader.start();
        Matcher m = started.get(60, TimeUnit.SECONDS);
        return new ServerProcess(p, URI.create(m.group(3)), URI.create(m.group(4)));
    }

    /** SIGTERM: the server's shutdown hook drains and closes. */
    /** SIGTERM, then wait; returns the exit code (-1 if it had to be killed). */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            return -1;
        }
        return process.exitValue();
    }

    /** SIGKILL, as a crash. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }
}
