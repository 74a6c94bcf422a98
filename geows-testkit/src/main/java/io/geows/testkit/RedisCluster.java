package io.geows.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster of three masters (no replicas) on free loopback ports, for tests: three
 * {@code redis-server --cluster-enabled yes} processes joined with {@code redis-cli --cluster create}.
 *
 * <pre>{@code
 * try (RedisCluster cluster = RedisCluster.start()) {
 *     RedisBroker broker = RedisBroker.builder().cluster(cluster.uris()).build();
 * }
 * }</pre>
 *
 * <p>{@code redis-cli} is looked up next to the {@code redis-server} binary, then on the PATH (Debian's
 * {@code redis-tools} package, a dependency of {@code redis-server}).
 *
 * @since 0.1.0
 */
public final class RedisCluster implements AutoCloseable {
    /** Masters started: {@value}. */
    public static final int MASTERS = 3;

    private final List<RedisServer> servers;

    private RedisCluster(List<RedisServer> servers) {
        this.servers = servers;
    }

    /**
     * Starts the servers, creates the cluster and waits until every node reports {@code cluster_state:ok}.
     *
     * @throws ServerProcessException when a server or {@code redis-cli} is missing or the cluster does
     *                                not come up in time
     */
    public static RedisCluster start() {
        List<RedisServer> servers = new ArrayList<>();
        try {
            for (int i = 0; i < MASTERS; i++) {
                servers.add(RedisServer.launch("--cluster-enabled", "yes", "--cluster-node-timeout", "2000",
                        "--cluster-require-full-coverage", "no"));
            }
            List<String> cmd = new ArrayList<>(List.of(redisCli(), "--cluster", "create"));
            for (RedisServer s : servers) {
                cmd.add("127.0.0.1:" + s.port());
            }
            cmd.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            // output to a file, read after it ends: a pipe read first would wait for ever on a hung redis-cli
            Path log = Files.createTempFile("geows-redis-cli-", ".log");
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                boolean finished = p.waitFor(60, TimeUnit.SECONDS);
                if (!finished) {
                    p.destroyForcibly();
                }
                if (!finished || p.exitValue() != 0) {
                    throw new ServerProcessException("redis-cli --cluster create failed: " + Files.readString(log, StandardCharsets.UTF_8));
                }
            } finally {
                Files.deleteIfExists(log);
            }
            RedisCluster cluster = new RedisCluster(servers);
            cluster.awaitOk(Duration.ofSeconds(30));
            return cluster;
        } catch (IOException e) {
            servers.forEach(RedisServer::close);
            throw new ServerProcessException("could not run redis-cli: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            servers.forEach(RedisServer::close);
            throw new ServerProcessException("interrupted while creating the cluster", e);
        } catch (RuntimeException e) {
            servers.forEach(RedisServer::close);
            throw e;
        }
    }

    private static String redisCli() {
        String server = System.getenv(RedisServer.BINARY_ENV);
        List<Path> candidates = new ArrayList<>();
        if (server != null && !server.isBlank()) {
            candidates.add(Path.of(server).resolveSibling("redis-cli"));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isBlank()) {
                candidates.add(Path.of(dir, "redis-cli"));
            }
        }
        candidates.add(Path.of("/usr/bin/redis-cli"));
        for (Path c : candidates) {
            if (Files.isExecutable(c)) {
                return c.toString();
            }
        }
        throw new ServerProcessException("redis-cli not found (looked in " + candidates
                + "): install it with `sudo apt-get install redis-tools` (it comes with redis-server)");
    }

    /** Waits until every node answers {@code CLUSTER INFO} with {@code cluster_state:ok}. */
    public void awaitOk(Duration timeout) {
        for (RedisServer s : servers) {
            Await.until("cluster_state:ok on port " + s.port(), timeout, () -> clusterInfo(s).contains("cluster_state:ok"));
        }
    }

    private static String clusterInfo(RedisServer s) {
        try (Socket socket = new Socket("127.0.0.1", s.port())) {
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write("*2\r\n$7\r\nCLUSTER\r\n$4\r\nINFO\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[8192];
            int n = in.read(buf);
            return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return "";
        }
    }

    /** The servers, one per master. */
    public List<RedisServer> servers() {
        return List.copyOf(servers);
    }

    /** Every node's {@code redis://127.0.0.1:port}. */
    public String[] uris() {
        return servers.stream().map(RedisServer::uri).toArray(String[]::new);
    }

    /** Stops every server and deletes their directories. */
    @Override
    public void close() {
        servers.forEach(RedisServer::close);
    }
}
