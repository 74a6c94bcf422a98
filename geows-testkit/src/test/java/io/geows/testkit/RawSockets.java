package io.geows.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Plain-socket helpers: RESP commands for Redis, connection checks. */
final class RawSockets {

    private RawSockets() {
    }

    static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        socket.setSoTimeout(2_000);
        socket.setTcpNoDelay(true);
        return socket;
    }

    /** Sends one RESP command and returns the first line of the reply. */
    static String command(Socket socket, String... args) throws IOException {
        StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n")
                    .append(arg).append("\r\n");
        }
        socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        return readLine(socket.getInputStream());
    }

    /** Opens a connection, sends PING, returns the reply line. */
    static String ping(int port) throws IOException {
        try (Socket socket = connect(port)) {
            return command(socket, "PING");
        }
    }

    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("closed");
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.UTF_8);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    /** Reads exactly n bytes. */
    static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length != n) {
            throw new IOException("closed after " + bytes.length + " of " + n + " bytes");
        }
        return bytes;
    }

    static void assertRefused(int port) {
        assertThatThrownBy(() -> connect(port).close()).isInstanceOf(ConnectException.class);
    }

    /** The peer closed or reset the connection: a read ends the stream or fails, not times out. */
    static void assertClosedByPeer(Socket socket, Duration within) throws IOException {
        socket.setSoTimeout((int) within.toMillis());
        int result;
        try {
            result = socket.getInputStream().read();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("connection still open after " + within.toMillis() + " ms", e);
        } catch (IOException e) {
            return; // reset
        }
        assertThat(result).as("read after the peer closed").isEqualTo(-1);
    }
}
