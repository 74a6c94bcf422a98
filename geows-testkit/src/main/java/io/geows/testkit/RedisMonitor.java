package io.geows.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Every command a Redis server executes, as its {@code MONITOR} reports them (publishes, stream
 * writes, script calls and their commands, reads), recorded from a plain socket: the raw view an
 * operator proving where data went would take. For servers without TLS or a password.
 */
public final class RedisMonitor implements AutoCloseable {
    private final Socket socket;
    private final List<String> lines = new ArrayList<>();
    private final BufferedReader in;
    private final Thread reader;

    private RedisMonitor(Socket socket, BufferedReader in) {
        this.socket = socket;
        this.in = in;
        this.reader = new Thread(this::read, "redis-monitor-" + socket.getPort());
        this.reader.setDaemon(true);
    }

    /** Starts watching; returns once the server confirmed {@code MONITOR}. */
    public static RedisMonitor start(RedisServer server) {
        try {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(server.host(), server.port()), 5_000);
            OutputStream out = s.getOutputStream();
            out.write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            s.setSoTimeout(5_000);
            String ok = in.readLine();
            if (!"+OK".equals(ok)) {
                s.close();
                throw new IllegalStateException("MONITOR on " + server + " answered " + ok);
            }
            s.setSoTimeout(0);
            RedisMonitor m = new RedisMonitor(s, in);
            m.reader.start();
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException("could not MONITOR " + server, e);
        }
    }

    private void read() {
        try {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** The commands seen so far, one line each (RESP simple strings, arguments quoted and escaped). */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** The lines that contain {@code text}. */
    public List<String> linesWith(String text) {
        return lines().stream().filter(l -> l.contains(text)).toList();
    }

    /** How many lines match. */
    public long count(Predicate<String> match) {
        return lines().stream().filter(match).count();
    }

    @Override
    public void close() {
        try {
            socket.close();
            reader.join(5_000);
        } catch (IOException e) {
            // closing anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
