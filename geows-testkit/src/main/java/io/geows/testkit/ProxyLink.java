package io.geows.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection through a {@link FaultProxy}: the client's socket and, unless the proxy was
 * black-holed when it accepted it, a connection to the target, with a reader and a writer thread per
 * direction. The writer holds every chunk until its due time (the proxy's latency when it was read,
 * never earlier than the chunk before) and drops what it would write while the proxy is black-holed.
 */
final class ProxyLink {
    private static final Logger log = LoggerFactory.getLogger(FaultProxy.class);
    private static final int BUFFER_SIZE = 16 * 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final FaultProxy proxy;
    private final int id;
    private final Socket client;
    private volatile Socket upstream;
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger finishedDirections = new AtomicInteger();

    ProxyLink(FaultProxy proxy, int id, Socket client) {
        this.proxy = proxy;
        this.id = id;
        this.client = client;
    }

    void open(boolean deadOnArrival) {
        if (deadOnArrival) {
            proxy.spawn(proxy.threadName(id + "-blackhole"), this::discardClient);
        } else {
            proxy.spawn(proxy.threadName(id + "-up-read"), this::connectAndForward);
        }
    }

    /** A connection made during a partition: swallow what the client sends, answer nothing. */
    private void discardClient() {
        byte[] buffer = new byte[BUFFER_SIZE];
        try (InputStream in = client.getInputStream()) {
            while (in.read(buffer) >= 0) {
                // dropped
            }
        } catch (IOException e) {
            // cut or closed
        } finally {
            close(false);
        }
    }

    private void connectAndForward() {
        Socket target = new Socket();
        try {
            target.connect(new InetSocketAddress(proxy.targetHost(), proxy.targetPort()),
                    CONNECT_TIMEOUT_MILLIS);
            target.setTcpNoDelay(true);
            client.setTcpNoDelay(true);
        } catch (IOException e) {
            log.debug("fault proxy {}: cannot reach {}:{}: {}", proxy.port(), proxy.targetHost(), proxy.targetPort(),
                    e.toString());
            FaultProxy.closeQuietly(target);
            close(true);
            return;
        }
        upstream = target;
        if (closed.get()) {
            // cut while connecting
            FaultProxy.closeQuietly(target);
            return;
        }
        Pipe up = new Pipe(client, target);
        Pipe down = new Pipe(target, client);
        synchronized (workers) {
            workers.add(proxy.spawn(proxy.threadName(id + "-up-write"), up::writeLoop));
            workers.add(proxy.spawn(proxy.threadName(id + "-down-read"), down::readLoop));
            workers.add(proxy.spawn(proxy.threadName(id + "-down-write"), down::writeLoop));
        }
        up.readLoop();
    }

    void directionFinished() {
        if (finishedDirections.incrementAndGet() == 2) {
            close(false);
        }
    }

    void close(boolean hard) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        proxy.forget(this);
        Socket target = upstream;
        if (hard) {
            FaultProxy.reset(client);
            if (target != null) {
                FaultProxy.reset(target);
            }
        } else {
            FaultProxy.closeQuietly(client);
            if (target != null) {
                FaultProxy.closeQuietly(target);
            }
        }
        // writers wait on their delay queue, not on a socket: wake them
        synchronized (workers) {
            workers.forEach(Thread::interrupt);
        }
    }

    /** One direction: a reader that stamps chunks with a due time, a writer that waits. */
    private final class Pipe {
        private final Socket from;
        private final Socket to;
        private final DelayQueue<Chunk> queue = new DelayQueue<>();
        // both touched by the reader thread only
        private long sequence;
        private long lastDue = Long.MIN_VALUE;

        Pipe(Socket from, Socket to) {
            this.from = from;
            this.to = to;
        }

        void readLoop() {
            byte[] buffer = new byte[BUFFER_SIZE];
            try {
                InputStream in = from.getInputStream();
                while (true) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        queue.add(chunk(null));
                        return;
                    }
                    queue.add(chunk(Arrays.copyOf(buffer, n)));
                }
            } catch (IOException e) {
                close(false);
            }
        }

        private Chunk chunk(byte[] data) {
            long due = System.nanoTime() + proxy.latencyNanos();
            // a lowered latency must not let later bytes overtake earlier ones
            if (lastDue != Long.MIN_VALUE && due - lastDue < 0) {
                due = lastDue;
            }
            lastDue = due;
            return new Chunk(data, due, ++sequence);
        }

        void writeLoop() {
            try {
                OutputStream out = to.getOutputStream();
                while (!closed.get()) {
                    Chunk chunk = queue.take();
                    if (chunk.data == null) {
                        to.shutdownOutput();
                        directionFinished();
                        return;
                    }
                    if (!proxy.isBlackholed()) {
                        out.write(chunk.data);
                        out.flush();
                    }
                }
            } catch (InterruptedException e) {
                // the link was closed
            } catch (IOException e) {
                close(false);
            }
        }
    }

    /** Bytes read at one time, or the end of the stream when {@code data} is null. */
    private static final class Chunk implements Delayed {
        final byte[] data;
        final long dueNanos;
        final long sequence;

        Chunk(byte[] data, long dueNanos, long sequence) {
            this.data = data;
            this.dueNanos = dueNanos;
            this.sequence = sequence;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            Chunk that = (Chunk) other;
            int byDue = Long.compare(dueNanos - that.dueNanos, 0);
            return byDue != 0 ? byDue : Long.compare(sequence, that.sequence);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Chunk && ((Chunk) other).sequence == sequence
                    && ((Chunk) other).dueNanos == dueNanos;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(sequence);
        }
    }
}
