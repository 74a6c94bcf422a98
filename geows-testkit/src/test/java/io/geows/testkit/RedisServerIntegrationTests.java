package io.geows.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static io.geows.testkit.RawSockets.assertClosedByPeer;
import static io.geows.testkit.RawSockets.assertRefused;
import static io.geows.testkit.RawSockets.command;
import static io.geows.testkit.RawSockets.connect;
import static io.geows.testkit.RawSockets.ping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisServerIntegrationTests {

    @Test
    void startsOnAFreeLoopbackPortAndAnswersPing() throws IOException {
        try (RedisServer redis = RedisServer.launch()) {
            assertThat(redis.port()).isPositive().isNotIn(Ports.RESERVED.toArray());
            assertThat(redis.host()).isEqualTo("127.0.0.1");
            assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
            assertThat(redis.isRunning()).isTrue();
            assertThat(ProcessHandle.of(redis.pid())).hasValueSatisfying(
                    handle -> assertThat(handle.isAlive()).isTrue());
            assertThat(ping(redis.port())).isEqualTo("+PONG");
            assertThat(Files.readString(redis.logFile())).contains("Ready to accept connections");
        }
    }

    @Test
    void killDropsConnectionsAndStartBringsItBackOnTheSamePort() throws IOException {
        try (RedisServer redis = RedisServer.launch()) {
            int port = redis.port();
            long firstPid = redis.pid();
            try (Socket open = connect(port)) {
                assertThat(command(open, "PING")).isEqualTo("+PONG");

                redis.kill();

                assertThat(redis.isRunning()).isFalse();
                assertClosedByPeer(open, Duration.ofSeconds(2));
                assertRefused(port);
            }

            redis.start();

            assertThat(redis.port()).isEqualTo(port);
            assertThat(redis.pid()).isNotEqualTo(firstPid);
            assertThat(ping(port)).isEqualTo("+PONG");
        }
    }

    @Test
    void restartKeepsThePortAndStartsAFreshProcess() throws IOException {
        try (RedisServer redis = RedisServer.launch()) {
            int port = redis.port();
            long firstPid = redis.pid();
            try (Socket socket = connect(port)) {
                assertThat(command(socket, "SET", "k", "v")).isEqualTo("+OK");
            }

            redis.restart();

            assertThat(redis.port()).isEqualTo(port);
            assertThat(redis.pid()).isNotEqualTo(firstPid);
            assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false))
                    .isFalse();
            try (Socket socket = connect(port)) {
                assertThat(command(socket, "GET", "k")).as("nothing persisted").isEqualTo("$-1");
            }
        }
    }

    @Test
    void closeStopsTheProcessAndDeletesItsDirectory() {
        RedisServer redis = RedisServer.launch();
        int port = redis.port();
        long pid = redis.pid();
        Path dir = redis.logFile().getParent();

        redis.close();

        assertThat(redis.isRunning()).isFalse();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertRefused(port);
        assertThat(dir).doesNotExist();
        redis.close(); // idempotent
        assertThatThrownBy(redis::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void stopIsGracefulAndStartTwiceIsRejected() {
        try (RedisServer redis = RedisServer.launch()) {
            assertThatThrownBy(redis::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already running");

            redis.stop();

            assertThat(redis.isRunning()).isFalse();
            assertRefused(redis.port());
            redis.stop(); // no-op
        }
    }

    @Test
    void extraArgumentsArePassedOn() throws IOException {
        try (RedisServer redis = RedisServer.launch("--requirepass", "s3cret")) {
            try (Socket socket = connect(redis.port())) {
                assertThat(command(socket, "PING")).startsWith("-NOAUTH");
                assertThat(command(socket, "AUTH", "s3cret")).isEqualTo("+OK");
                assertThat(command(socket, "PING")).isEqualTo("+PONG");
            }
        }
    }

    @Test
    void tlsServesOnlyTlsAndAclUsersReplaceTheDefaultUser() throws Exception {
        try (TestCertificates certs = TestCertificates.generate();
             RedisServer redis = RedisServer.builder().tls(certs.server()).aclUser("geows", "pw-1").start()) {
            assertThat(redis.isTls()).isTrue();
            assertThat(redis.uri()).isEqualTo("rediss://127.0.0.1:" + redis.port());
            assertThat(Files.readString(redis.logFile())).doesNotContain("pw-1");
            try (Socket plain = connect(redis.port());
                 Socket tls = certs.clientContext().getSocketFactory().createSocket(plain, "127.0.0.1", redis.port(), true)) {
                assertThat(command(tls, "PING")).startsWith("-NOAUTH");
                assertThat(command(tls, "AUTH", "default", "")).startsWith("-WRONGPASS");
                assertThat(command(tls, "AUTH", "geows", "wrong")).startsWith("-WRONGPASS");
                assertThat(command(tls, "AUTH", "geows", "pw-1")).isEqualTo("+OK");
                assertThat(command(tls, "PING")).isEqualTo("+PONG");
            }
            // a plain-text client gets no answer a Redis client could use: the port speaks TLS only
            try (Socket plain = connect(redis.port())) {
                assertThatThrownBy(() -> command(plain, "PING")).isInstanceOf(IOException.class);
            }
        }
    }

    @Test
    void aclUserValuesThatWouldBreakTheConfigurationAreRejected() {
        assertThatThrownBy(() -> RedisServer.builder().aclUser("a b", "pw"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a b");
        assertThatThrownBy(() -> RedisServer.builder().aclUser("geows", "p w"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("p w");
        assertThatThrownBy(() -> RedisServer.builder().aclUser("geows", "pw", "+@all", "bad rule"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void clusterModeGetsItsOwnFreeBusPort() throws IOException {
        try (RedisServer redis = RedisServer.launch("--cluster-enabled", "yes")) {
            assertThat(redis.clusterBusPort()).isPositive().isNotEqualTo(redis.port());
            try (Socket socket = connect(redis.port())) {
                assertThat(command(socket, "CLUSTER", "MYID")).startsWith("$40");
            }
        }
    }

    @Test
    void aServerThatCannotStartFailsWithItsLog() {
        assertThatThrownBy(() -> RedisServer.launch("--no-such-directive", "x"))
                .isInstanceOf(ServerProcessException.class)
                .hasMessageContaining("redis-server exited with code")
                .hasMessageContaining("no-such-directive");
    }

    @Test
    void aRestartGivesUpWithAClearMessageWhenThePortStaysTaken() throws IOException {
        try (RedisServer redis = RedisServer.builder().startTimeout(Duration.ofSeconds(5)).start()) {
            redis.kill();
            try (ServerSocket squatter = new ServerSocket(redis.port(), 1,
                    InetAddress.getByName("127.0.0.1"))) {
                assertThat(squatter.isBound()).isTrue();
                assertThatThrownBy(redis::start).isInstanceOf(ServerProcessException.class)
                        .hasMessageContaining("could not bind its port")
                        .hasMessageContaining("in use");
            }
            redis.start();
            assertThat(ping(redis.port())).isEqualTo("+PONG");
        }
    }

    @Test
    void aMissingBinaryNamesThePackageAndTheVariable() {
        assertThatThrownBy(() -> RedisServer.builder()
                .environment(Map.of("GEOWS_REDIS_SERVER", "/nonexistent/redis-server")).start())
                .isInstanceOf(ServerProcessException.class)
                .hasMessageContaining("redis-server not found")
                .hasMessageContaining("/nonexistent/redis-server")
                .hasMessageContaining("sudo apt-get install redis-server")
                .hasMessageContaining("GEOWS_REDIS_SERVER");
        assertThatThrownBy(() -> RedisServer.builder()
                .binary(Path.of("/nonexistent/bin/redis-server")).start())
                .isInstanceOf(ServerProcessException.class)
                .hasMessageContaining("/nonexistent/bin/redis-server");
    }
}
