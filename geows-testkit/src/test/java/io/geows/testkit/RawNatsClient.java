package io.geows.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Just enough of the NATS client protocol, over a plain socket, to test the servers. */
final class RawNatsClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String info;

    RawNatsClient(int port) throws IOException {
        socket = RawSockets.connect(port);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        info = RawSockets.readLine(in);
        send("CONNECT {\"verbose\":false,\"pedantic\":false}\r\n");
        flush();
    }

    String info() {
        return info;
    }

    void subscribe(String subject, int sid) throws IOException {
        send("SUB " + subject + " " + sid + "\r\n");
        flush();
    }

    void publish(String subject, String payload) throws IOException {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        send("PUB " + subject + " " + bytes.length + "\r\n" + payload + "\r\n");
    }

    /** Sends PING and waits for PONG: everything sent before has been processed by the server. */
    void flush() throws IOException {
        send("PING\r\n");
        while (true) {
            String line = RawSockets.readLine(in);
            if (line.equals("PONG")) {
                return;
            }
            if (line.startsWith("-ERR")) {
                throw new IOException(line);
            }
        }
    }

    /** The payload of the next MSG, or null if none arrives within the timeout. */
    String nextMessage(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        try {
            while (true) {
                String line = RawSockets.readLine(in);
                if (line.equals("PING")) {
                    send("PONG\r\n");
                } else if (line.startsWith("MSG ")) {
                    String[] parts = line.split(" ");
                    int size = Integer.parseInt(parts[parts.length - 1]);
                    String payload = new String(RawSockets.readExactly(in, size),
                            StandardCharsets.UTF_8);
                    RawSockets.readLine(in);
                    return payload;
                } else if (line.startsWith("-ERR")) {
                    throw new IOException(line);
                }
            }
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    private void send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
