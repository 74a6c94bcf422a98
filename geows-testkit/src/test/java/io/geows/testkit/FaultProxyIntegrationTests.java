package io.geows.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.geows.testkit.RawSockets.assertClosedByPeer;
import static io.geows.testkit.RawSockets.assertRefused;
import static io.geows.testkit.RawSockets.command;
import static io.geows.testkit.RawSockets.connect;
import static io.geows.testkit.RawSockets.readExactly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FaultProxyIntegrationTests {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private EchoServer echo;
    private FaultProxy proxy;

    @BeforeEach
    void startEchoBehindProxy() throws IOException {
        echo = new EchoServer();
        proxy = FaultProxy.start("127.0.0.1", echo.port());
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        echo.close();
    }

    @Test
    void bytesPassBothWays() throws IOException, InterruptedException {
        try (Socket client = connect(proxy.port())) {
            assertThat(proxy.port()).isNotEqualTo(echo.port());
            assertThat(roundTrip(client, "hello")).isEqualTo("hello");
            assertThat(proxy.connectionCount()).isEqualTo(1);

            byte[] large = new byte[1 << 20];
            for (int i = 0; i < large.length; i++) {
                large[i] = (byte) i;
            }
            Thread writer = new Thread(() -> {
                try {
                    client.getOutputStream().write(large);
                } catch (IOException e) {
                    // the read below fails too
                }
            });
            writer.start();
            assertThat(readExactly(client.getInputStream(), large.length)).isEqualTo(large);
            writer.join();
        }
        Await.until("the proxy forgets the closed connection", WAIT,
                () -> proxy.connectionCount() == 0);
    }

    @Test
    void latencyDelaysEachDirection() throws IOException {
        Duration latency = Duration.ofMillis(150);
        proxy.setLatency(latency);
        assertThat(proxy.latency()).isEqualTo(latency);
        try (Socket client = connect(proxy.port())) {
            long start = System.nanoTime();
            assertThat(roundTrip(client, "ping")).isEqualTo("ping");
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

            assertThat(elapsed).isGreaterThanOrEqualTo(latency.multipliedBy(2));

            // many small writes arrive complete and in order despite the queueing
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 200; i++) {
                String part = i + ",";
                expected.append(part);
                client.getOutputStream().write(part.getBytes(StandardCharsets.US_ASCII));
            }
            proxy.setLatency(Duration.ZERO); // lowered mid-stream: still no reordering
            byte[] echoed = readExactly(client.getInputStream(), expected.length());
            assertThat(new String(echoed, StandardCharsets.US_ASCII))
                    .isEqualTo(expected.toString());
        }
    }

    @Test
    void cutConnectionsResetsOpenConnectionsAndKeepsAccepting() throws IOException {
        try (Socket first = connect(proxy.port()); Socket second = connect(proxy.port())) {
            assertThat(roundTrip(first, "a")).isEqualTo("a");
            assertThat(roundTrip(second, "b")).isEqualTo("b");

            proxy.cutConnections();

            assertClosedByPeer(first, WAIT);
            assertClosedByPeer(second, WAIT);
            assertThat(proxy.connectionCount()).isZero();
            Await.until("the echo server sees its side closed", WAIT,
                    () -> echo.openConnections() == 0);
        }
        try (Socket fresh = connect(proxy.port())) {
            assertThat(roundTrip(fresh, "again")).isEqualTo("again");
        }
    }

    @Test
    void blackholeSwallowsTrafficButKeepsConnectionsOpen() throws IOException {
        try (Socket before = connect(proxy.port())) {
            assertThat(roundTrip(before, "up")).isEqualTo("up");

            proxy.blackhole(true);
            assertThat(proxy.isBlackholed()).isTrue();

            assertTimesOut(before, "lost");
            try (Socket during = connect(proxy.port())) {
                assertTimesOut(during, "also lost");
                assertThat(during.isClosed()).isFalse();
                assertThat(proxy.connectionCount()).isEqualTo(2);
            }
            assertThat(before.isClosed()).isFalse();

            proxy.blackhole(false);

            try (Socket after = connect(proxy.port())) {
                assertThat(roundTrip(after, "healed")).isEqualTo("healed");
            }
        }
    }

    @Test
    void refusedConnectionsAreResetUntilAllowedAgain() throws IOException {
        proxy.setRefuseConnections(true);
        Socket refused;
        try {
            refused = connect(proxy.port());
        } catch (SocketException resetWhileConnecting) {
            refused = null; // the reset can overtake the end of the handshake
        }
        if (refused != null) {
            try (Socket socket = refused) {
                assertClosedByPeer(socket, WAIT);
            }
        }

        proxy.setRefuseConnections(false);

        try (Socket allowed = connect(proxy.port())) {
            assertThat(roundTrip(allowed, "ok")).isEqualTo("ok");
        }
    }

    @Test
    void aConnectionToAnUnreachableTargetIsReset() throws IOException {
        int deadPort = Ports.freePort();
        try (FaultProxy toNowhere = FaultProxy.start("127.0.0.1", deadPort)) {
            Socket client;
            try {
                client = connect(toNowhere.port());
            } catch (java.net.SocketException reset) {
                // reset so fast that configuring the fresh socket already failed: that is the behaviour
                assertThat(reset).hasMessageContaining("reset");
                return;
            }
            try (client) {
                assertClosedByPeer(client, WAIT);
            }
        }
    }

    @Test
    void closeLeavesNoThreadsAndNoListeningSocket() throws IOException {
        int port = proxy.port();
        Socket a = connect(port);
        Socket b = connect(port);
        proxy.setLatency(Duration.ofMillis(20));
        assertThat(roundTrip(a, "x")).isEqualTo("x");
        assertThat(roundTrip(b, "y")).isEqualTo("y");
        assertThat(proxyThreads(port)).isPositive();

        proxy.close();

        assertThat(proxyThreads(port)).isZero();
        assertClosedByPeer(a, WAIT);
        assertClosedByPeer(b, WAIT);
        assertRefused(port);
        Await.until("the echo server sees its side closed", WAIT,
                () -> echo.openConnections() == 0);
        a.close();
        b.close();
        proxy.close(); // idempotent
    }

    @Test
    void worksInFrontOfARealRedisAndPassesOnItsCrash() throws IOException {
        try (RedisServer redis = RedisServer.launch();
                FaultProxy redisProxy = FaultProxy.start(redis.host(), redis.port());
                Socket client = connect(redisProxy.port())) {
            assertThat(command(client, "PING")).isEqualTo("+PONG");

            redis.kill();

            assertClosedByPeer(client, WAIT);
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> FaultProxy.start("127.0.0.1", 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> proxy.setLatency(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
        socket.setSoTimeout((int) WAIT.toMillis());
        return new String(readExactly(socket.getInputStream(), bytes.length),
                StandardCharsets.UTF_8);
    }

    private static void assertTimesOut(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        socket.setSoTimeout(300);
        InputStream in = socket.getInputStream();
        assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
    }

    private static long proxyThreads(int port) {
        String prefix = "geows-fault-proxy-" + port + "-";
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith(prefix) && thread.isAlive())
                .count();
    }
}
