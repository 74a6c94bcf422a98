package io.geows.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One example server ({@code io.geows.example.ExampleServer}) in its own JVM on free loopback ports,
 * as users run it: {@code --region ... --broker ...}. Its output goes to a log file.
 */
final class ServerNode implements AutoCloseable {
    private static final Pattern NODE_LINE = Pattern.compile("node (\\S+) region (\\S+) ws (\\S+) http (\\S+)");

    /**
     * How to start server JVMs.
     *
     * @param main        what follows the JVM options: {@code -jar geows-example-server.jar}, or
     *                    {@code -cp <classpath> io.geows.example.ExampleServer}
     * @param jvmOptions  heap and GC flags, JFR, ...
     * @param environment added to the server's environment ({@code GEOWS_*} settings)
     * @param logDir      where each node's output goes ({@code <nodeId>.log})
     * @param jfrDir      null, or where each node records a Java Flight Recording ({@code <nodeId>.jfr},
     *                    written when the server exits)
     * @param jfrSettings the recording's settings: {@code profile}, {@code default} or a {@code .jfc} file
     */
    record Launcher(List<String> main, List<String> jvmOptions, Map<String, String> environment, Path logDir,
                    Path jfrDir, String jfrSettings) {
        /** Runs the example server from a runnable jar, or from a classpath that holds it. */
        static Launcher of(String jarOrClasspath, List<String> jvmOptions, Map<String, String> environment, Path logDir,
                           Path jfrDir) {
            List<String> main = jarOrClasspath.endsWith(".jar") && !jarOrClasspath.contains(java.io.File.pathSeparator)
                    && isRunnable(jarOrClasspath)
                    ? List.of("-jar", jarOrClasspath)
                    : List.of("-cp", jarOrClasspath, "io.geows.example.ExampleServer");
            return new Launcher(main, List.copyOf(jvmOptions), Map.copyOf(environment), logDir, jfrDir, "profile");
        }

        private static boolean isRunnable(String jar) {
            try (var j = new java.util.jar.JarFile(jar)) {
                var manifest = j.getManifest();
                return manifest != null && "io.geows.example.ExampleServer"
                        .equals(manifest.getMainAttributes().getValue("Main-Class"));
            } catch (IOException e) {
                return false;
            }
        }

        /** The same with other recording settings. */
        Launcher withJfrSettings(String settings) {
            return new Launcher(main, jvmOptions, environment, logDir, jfrDir, settings);
        }

        /** The same with other environment variables. */
        Launcher withEnvironment(Map<String, String> env) {
            return new Launcher(main, jvmOptions, Map.copyOf(env), logDir, jfrDir, jfrSettings);
        }

        /** Starts one node and waits (up to 60 s) until it prints its node line. */
        ServerNode launch(String region, String nodeId, String broker) throws IOException, InterruptedException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = new ArrayList<>(List.of(java));
            cmd.addAll(jvmOptions);
            if (jfrDir != null) {
                Files.createDirectories(jfrDir);
                cmd.add("-XX:StartFlightRecording=settings=" + jfrSettings + ",dumponexit=true,filename="
                        + jfrDir.resolve(nodeId + ".jfr").toAbsolutePath());
            }
            cmd.addAll(main);
            cmd.addAll(List.of("--region", region, "--node-id", nodeId, "--host", "127.0.0.1", "--port", "0",
                    "--http-port", "0", "--broker", broker,
                    // load clients: demo tokens, all from 127.0.0.1
                    "--anonymous", "true", "--max-connections-per-address", "0"));
            Files.createDirectories(logDir);
            Path log = logDir.resolve(nodeId + ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(environment);
            Process p = pb.start();
            CompletableFuture<Matcher> started = new CompletableFuture<>();
            Thread reader = new Thread(() -> pump(p, log, started), "server-output-" + nodeId);
            reader.setDaemon(true);
            reader.start();
            try {
                Matcher m = started.get(60, TimeUnit.SECONDS);
                return new ServerNode(region, nodeId, p, URI.create(m.group(3)), URI.create(m.group(4)), log);
            } catch (ExecutionException | TimeoutException e) {
                p.destroyForcibly();
                throw new IOException("example server " + nodeId + " did not start (see " + log + "): " + e.getMessage(), e);
            }
        }

        private static void pump(Process p, Path log, CompletableFuture<Matcher> started) {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter w = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
                for (String line; (line = out.readLine()) != null; ) {
                    w.println(line);
                    Matcher m = NODE_LINE.matcher(line);
                    if (m.find()) {
                        started.complete(m);
                    }
                }
                started.completeExceptionally(new IllegalStateException("server exited with " + p.waitFor()));
            } catch (IOException | InterruptedException e) {
                started.completeExceptionally(e);
            }
        }
    }

    private final String region;
    private final String nodeId;
    private final Process process;
    private final URI ws;
    private final URI http;
    private final Path log;

    private ServerNode(String region, String nodeId, Process process, URI ws, URI http, Path log) {
        this.region = region;
        this.nodeId = nodeId;
        this.process = process;
        this.ws = ws;
        this.http = http;
        this.log = log;
    }

    String region() {
        return region;
    }

    String nodeId() {
        return nodeId;
    }

    long pid() {
        return process.pid();
    }

    URI ws() {
        return ws;
    }

    URI http() {
        return http;
    }

    Path log() {
        return log;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: the region dies with no goodbye; returns when the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM (the server drains and exits), then SIGKILL after 15 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
