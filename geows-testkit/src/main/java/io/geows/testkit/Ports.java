package io.geows.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;

/**
 * Free TCP ports on the loopback interface, for servers and configurations that must name a port
 * before anything listens on it (a NATS gateway block, a Redis cluster bus).
 *
 * @since 0.1.0
 */
public final class Ports {

    /** The loopback address every testkit server and proxy binds to: {@value}. */
    public static final String LOOPBACK = "127.0.0.1";

    /**
     * Ports that are never handed out, because the machine's own brokers live there (Redis 6379,
     * its cluster bus 16379, NATS 4222, its cluster 6222 and monitoring 8222).
     */
    public static final Set<Integer> RESERVED = Set.of(6379, 16379, 4222, 6222, 8222);

    private static final int ATTEMPTS = 20;

    private Ports() {
    }

    /**
     * Returns a TCP port on {@value #LOOPBACK} that was free a moment ago: the kernel picks it by
     * binding port 0, and the socket is closed again before returning. Another process may take
     * the port before the caller binds it, so callers that start a server on it should be ready to
     * retry with a new port. Never returns a well-known broker port (6379, 4222, ...).
     *
     * <p>Thread-safe.
     *
     * @return a port between 1024 and 65535
     * @throws UncheckedIOException if no socket can be bound on the loopback interface
     */
    public static int freePort() {
        IOException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try (ServerSocket socket = new ServerSocket()) {
                // no SO_REUSEADDR: the port must be really free, not just free of listeners
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0));
                int port = socket.getLocalPort();
                if (!RESERVED.contains(port)) {
                    return port;
                }
            } catch (IOException e) {
                last = e;
            }
        }
        throw new UncheckedIOException("cannot find a free TCP port on " + LOOPBACK,
                last != null ? last : new IOException("only reserved ports were offered"));
    }
}
