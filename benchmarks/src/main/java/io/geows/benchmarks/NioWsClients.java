package io.geows.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small non-blocking WebSocket client (RFC 6455, text frames, no extensions) that runs many
 * connections on a few selector threads, so the load tool and the capacity tool spend little CPU,
 * few threads and little memory on their side of the measurement. A Java-WebSocket client costs two
 * threads per connection; 15,000 idle connections here cost one thread.
 *
 * <p>It answers pings with pongs and close frames with a close, and hands every text frame to the
 * connection's {@link Listener} on the selector thread that read it. {@link Connection#send} may be
 * called from any thread: it writes straight to the socket when nothing is queued, else queues the
 * frame for the selector thread.
 */
final class NioWsClients implements AutoCloseable {
    private static final byte[] GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11".getBytes(StandardCharsets.US_ASCII);
    private static final int READ_BUFFER = 64 * 1024;
    private static final int MAX_FRAME = 16 * 1024 * 1024;
    private static final int OP_TEXT = 1;
    private static final int OP_CLOSE = 8;
    private static final int OP_PING = 9;
    private static final int OP_PONG = 10;

    /** Callbacks of one connection, on the selector thread that owns it. */
    interface Listener {
        /** The handshake succeeded; the connection can send. */
        default void onOpen(Connection c) {
        }

        /** One complete text frame; {@code data} is only valid during the call. */
        void onText(Connection c, byte[] data, int offset, int length);

        /** The connection is closed (by either side, or failed); called once. */
        default void onClose(Connection c, String reason) {
        }
    }

    private final Loop[] loops;
    private final AtomicInteger next = new AtomicInteger();
    /** Pings answered, over all connections. */
    final AtomicLong pingsAnswered = new AtomicLong();
    /** Connections closed by the server or by an error (not by {@link Connection#close()}). */
    final AtomicLong unexpectedCloses = new AtomicLong();

    NioWsClients(int threads, String name) throws IOException {
        loops = new Loop[Math.max(1, threads)];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new Loop(name + "-" + i);
            loops[i].thread.start();
        }
    }

    /** Starts connecting to {@code uri} ({@code ws://host:port/path}); returns at once. */
    Connection connect(URI uri, Listener listener) {
        Loop loop = loops[Math.floorMod(next.getAndIncrement(), loops.length)];
        int port = uri.getPort() > 0 ? uri.getPort() : 80;
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        Connection c = new Connection(loop, new InetSocketAddress(uri.getHost(), port), uri.getHost() + ":" + port, path,
                listener);
        loop.submit(c::start);
        return c;
    }

    @Override
    public void close() {
        for (Loop l : loops) {
            l.stop();
        }
    }

    /** One WebSocket connection. */
    final class Connection {
        private enum State { CONNECTING, HANDSHAKE, OPEN, CLOSED }

        private final Loop loop;
        private final InetSocketAddress address;
        private final String hostHeader;
        private final String path;
        private final Listener listener;
        private final Queue<ByteBuffer> pending = new ArrayDeque<>();
        private volatile State state = State.CONNECTING;
        /** Set by {@link #close()}: the close that follows is expected. */
        private volatile boolean closing;
        private SocketChannel channel;
        private SelectionKey key;
        private String acceptKey;
        /** Unparsed input (only when a read ended mid-frame). */
        private byte[] in = new byte[0];
        private int inLen;
        /** A fragmented text message being assembled. */
        private byte[] fragments;
        private int fragmentsLen;
        /** Free for the listener. */
        volatile Object attachment;

        private Connection(Loop loop, InetSocketAddress address, String hostHeader, String path, Listener listener) {
            this.loop = loop;
            this.address = address;
            this.hostHeader = hostHeader;
            this.path = path;
            this.listener = listener;
        }

        boolean isOpen() {
            return state == State.OPEN;
        }

        /** Sends one text frame; false when the connection is not open. Any thread. */
        boolean send(String text) {
            return send(text.getBytes(StandardCharsets.UTF_8));
        }

        /** Sends one text frame holding these UTF-8 bytes; false when the connection is not open. Any thread. */
        boolean send(byte[] utf8) {
            return state == State.OPEN && write(frame(OP_TEXT, utf8));
        }

        /** Sends a close frame (1000) and closes the socket. Any thread. */
        void close() {
            closing = true;
            if (state == State.OPEN) {
                write(frame(OP_CLOSE, new byte[] {0x03, (byte) 0xE8}));
            }
            loop.submit(() -> shut(null));
        }

        private void start() {
            try {
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                key = channel.register(loop.selector, SelectionKey.OP_CONNECT, this);
                if (channel.connect(address)) {
                    connected();
                }
            } catch (IOException e) {
                shut("connect failed: " + e);
            }
        }

        private void connected() throws IOException {
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            String wsKey = Base64.getEncoder().encodeToString(nonce);
            acceptKey = accept(wsKey);
            String request = "GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + wsKey + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
            state = State.HANDSHAKE;
            key.interestOps(SelectionKey.OP_READ);
            write(request.getBytes(StandardCharsets.US_ASCII));
        }

        /** Writes now if nothing is queued, else queues and asks the selector for write readiness. */
        private boolean write(byte[] bytes) {
            synchronized (pending) {
                if (state == State.CLOSED) {
                    return false;
                }
                ByteBuffer b = ByteBuffer.wrap(bytes);
                try {
                    if (pending.isEmpty()) {
                        channel.write(b);
                        if (!b.hasRemaining()) {
                            return true;
                        }
                    }
                    pending.add(b);
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                } catch (IOException | java.nio.channels.CancelledKeyException e) {
                    loop.submit(() -> shut("write failed: " + e));
                    return false;
                }
            }
            loop.selector.wakeup();
            return true;
        }

        /** Selector thread: drains the queue. */
        private void flush() throws IOException {
            synchronized (pending) {
                while (!pending.isEmpty()) {
                    ByteBuffer b = pending.peek();
                    channel.write(b);
                    if (b.hasRemaining()) {
                        return;
                    }
                    pending.poll();
                }
                key.interestOps(SelectionKey.OP_READ);
            }
        }

        /** Selector thread: {@code n} new bytes at {@code buf[0..n)}. */
        private void received(byte[] buf, int n) throws IOException {
            byte[] data;
            int len;
            if (inLen == 0) {
                data = buf;
                len = n;
            } else {
                ensure(inLen + n);
                System.arraycopy(buf, 0, in, inLen, n);
                inLen += n;
                data = in;
                len = inLen;
            }
            int used = state == State.HANDSHAKE ? handshake(data, len) : 0;
            if (state == State.OPEN) {
                used += frames(data, used, len);
            }
            int rest = len - used;
            if (rest > 0 && state != State.CLOSED) {
                if (data != in) {
                    ensure(rest);
                }
                System.arraycopy(data, used, in, 0, rest);
            }
            inLen = state == State.CLOSED ? 0 : rest;
        }

        private void ensure(int size) {
            if (in.length < size) {
                in = java.util.Arrays.copyOf(in, Math.max(size, Math.max(512, in.length * 2)));
            }
        }

        /** Returns the bytes the response header used, 0 while it is incomplete. */
        private int handshake(byte[] data, int len) throws IOException {
            int end = -1;
            for (int i = 3; i < len; i++) {
                if (data[i] == '\n' && data[i - 1] == '\r' && data[i - 2] == '\n' && data[i - 3] == '\r') {
                    end = i + 1;
                    break;
                }
            }
            if (end < 0) {
                if (len > 16 * 1024) {
                    shut("handshake response too long");
                }
                return 0;
            }
            String head = new String(data, 0, end, StandardCharsets.ISO_8859_1);
            if (!head.startsWith("HTTP/1.1 101")) {
                shut("handshake refused: " + head.lines().findFirst().orElse(""));
                return end;
            }
            String accept = null;
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("sec-websocket-accept")) {
                    accept = line.substring(colon + 1).trim();
                }
            }
            if (!acceptKey.equals(accept)) {
                shut("bad Sec-WebSocket-Accept: " + accept);
                return end;
            }
            state = State.OPEN;
            listener.onOpen(this);
            return end;
        }

        /** Parses whole frames from {@code data[from..len)}; returns the bytes used. */
        private int frames(byte[] data, int from, int len) throws IOException {
            int p = from;
            while (state == State.OPEN && len - p >= 2) {
                int b0 = data[p] & 0xff;
                int b1 = data[p + 1] & 0xff;
                boolean fin = (b0 & 0x80) != 0;
                int op = b0 & 0x0f;
                boolean masked = (b1 & 0x80) != 0;
                long size = b1 & 0x7f;
                int header = 2;
                if (size == 126) {
                    if (len - p < 4) {
                        break;
                    }
                    size = ((data[p + 2] & 0xff) << 8) | (data[p + 3] & 0xff);
                    header = 4;
                } else if (size == 127) {
                    if (len - p < 10) {
                        break;
                    }
                    size = 0;
                    for (int i = 0; i < 8; i++) {
                        size = (size << 8) | (data[p + 2 + i] & 0xff);
                    }
                    header = 10;
                }
                if (size > MAX_FRAME) {
                    shut("frame of " + size + " bytes");
                    break;
                }
                int maskAt = p + header;
                if (masked) {
                    header += 4;
                }
                if (len - p < header + size) {
                    break;
                }
                int start = p + header;
                int n = (int) size;
                if (masked) {
                    for (int i = 0; i < n; i++) {
                        data[start + i] ^= data[maskAt + (i & 3)];
                    }
                }
                p += header + n;
                onFrame(op, fin, data, start, n);
            }
            return p - from;
        }

        private void onFrame(int op, boolean fin, byte[] data, int start, int n) throws IOException {
            switch (op) {
                case OP_TEXT, 0 -> {
                    if (op == OP_TEXT && fin) {
                        listener.onText(this, data, start, n);
                        return;
                    }
                    if (fragments == null || fragments.length < fragmentsLen + n) {
                        fragments = java.util.Arrays.copyOf(fragments == null ? new byte[0] : fragments,
                                Math.max(fragmentsLen + n, 1024));
                    }
                    System.arraycopy(data, start, fragments, fragmentsLen, n);
                    fragmentsLen += n;
                    if (fin) {
                        listener.onText(this, fragments, 0, fragmentsLen);
                        fragments = null;
                        fragmentsLen = 0;
                    }
                }
                case OP_PING -> {
                    write(frame(OP_PONG, java.util.Arrays.copyOfRange(data, start, start + n)));
                    pingsAnswered.incrementAndGet();
                }
                case OP_CLOSE -> {
                    write(frame(OP_CLOSE, n >= 2 ? new byte[] {data[start], data[start + 1]} : new byte[0]));
                    int code = n >= 2 ? ((data[start] & 0xff) << 8) | (data[start + 1] & 0xff) : 1005;
                    shut("closed by the server: " + code + " "
                            + new String(data, start + Math.min(n, 2), Math.max(0, n - 2), StandardCharsets.UTF_8));
                }
                case OP_PONG -> {
                }
                default -> shut("unexpected opcode " + op);
            }
        }

        /** Selector thread: closes the socket; a non-null reason is an unexpected close. */
        private void shut(String reason) {
            State was;
            synchronized (pending) {
                was = state;
                state = State.CLOSED;
                pending.clear();
            }
            if (was == State.CLOSED) {
                return;
            }
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException ignored) {
                // closing anyway
            }
            if (reason != null && !closing) {
                unexpectedCloses.incrementAndGet();
            }
            listener.onClose(this, reason == null ? "closed by the client" : reason);
        }
    }

    private static String accept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(key.getBytes(StandardCharsets.US_ASCII));
            sha1.update(GUID);
            return Base64.getEncoder().encodeToString(sha1.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client frame: FIN, opcode, masked payload (clients must mask, RFC 6455 5.3). */
    static byte[] frame(int opcode, byte[] payload) {
        int n = payload.length;
        int header = n < 126 ? 2 : n < 65536 ? 4 : 10;
        byte[] f = new byte[header + 4 + n];
        f[0] = (byte) (0x80 | opcode);
        if (n < 126) {
            f[1] = (byte) (0x80 | n);
        } else if (n < 65536) {
            f[1] = (byte) (0x80 | 126);
            f[2] = (byte) (n >>> 8);
            f[3] = (byte) n;
        } else {
            f[1] = (byte) (0x80 | 127);
            for (int i = 0; i < 8; i++) {
                f[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
            }
        }
        int mask = ThreadLocalRandom.current().nextInt();
        byte[] m = {(byte) (mask >>> 24), (byte) (mask >>> 16), (byte) (mask >>> 8), (byte) mask};
        System.arraycopy(m, 0, f, header, 4);
        int at = header + 4;
        for (int i = 0; i < n; i++) {
            f[at + i] = (byte) (payload[i] ^ m[i & 3]);
        }
        return f;
    }

    /** One selector thread and the connections it owns. */
    private final class Loop implements Runnable {
        final Selector selector;
        final Thread thread;
        private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER);
        private volatile boolean running = true;

        Loop(String name) throws IOException {
            selector = Selector.open();
            thread = new Thread(this, name);
            thread.setDaemon(true);
        }

        void submit(Runnable task) {
            tasks.add(task);
            selector.wakeup();
        }

        void stop() {
            running = false;
            selector.wakeup();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void run() {
            try {
                while (running) {
                    selector.select(100);
                    for (Runnable t; (t = tasks.poll()) != null; ) {
                        t.run();
                    }
                    var it = selector.selectedKeys().iterator();
                    while (it.hasNext()) {
                        SelectionKey k = it.next();
                        it.remove();
                        handle(k);
                    }
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("geows load client: selector failed: " + e);
            } finally {
                for (SelectionKey k : selector.keys()) {
                    ((Connection) k.attachment()).shut(null);
                }
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // exiting anyway
                }
            }
        }

        private void handle(SelectionKey k) {
            Connection c = (Connection) k.attachment();
            try {
                if (!k.isValid()) {
                    return;
                }
                if (k.isConnectable()) {
                    if (c.channel.finishConnect()) {
                        c.connected();
                    }
                    return;
                }
                if (k.isWritable()) {
                    c.flush();
                }
                if (k.isValid() && k.isReadable()) {
                    readBuffer.clear();
                    int n = c.channel.read(readBuffer);
                    if (n < 0) {
                        c.shut("connection closed (EOF)");
                    } else if (n > 0) {
                        c.received(readBuffer.array(), n);
                    }
                }
            } catch (ClosedChannelException | java.nio.channels.CancelledKeyException e) {
                c.shut("closed: " + e);
            } catch (IOException e) {
                c.shut("I/O error: " + e.getMessage());
            }
        }
    }
}
