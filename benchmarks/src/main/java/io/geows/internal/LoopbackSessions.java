package io.geows.internal;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Sessions on a {@link NodeEngine} without a socket, for benchmarks that measure what the node itself
 * does with a client's frame. It lives in the engine's package (in the benchmarks jar) because the
 * transport's entry points are package-private on purpose: applications never drive sessions by
 * hand. Not for production use.
 */
public final class LoopbackSessions {
    private final NodeEngine engine;

    public LoopbackSessions(NodeEngine engine) {
        this.engine = engine;
    }

    /** A session whose server frames go to {@code frames}, as UTF-8 JSON bytes. */
    public Session open(Consumer<byte[]> frames) {
        Loop conn = new Loop(frames);
        WsSession s = engine.newSession(conn);
        engine.onOpen(s);
        return new Session(s, conn);
    }

    /** One loopback session: send it client frames as text. */
    public final class Session {
        private final WsSession session;
        private final Loop conn;

        private Session(WsSession session, Loop conn) {
            this.session = session;
            this.conn = conn;
        }

        /** A client frame, as the transport would hand it over. */
        public void send(String text) {
            engine.onText(session, text);
        }

        /** Frames the node sent this session. */
        public long framesOut() {
            return conn.sent.get();
        }

        public void close() {
            conn.open = false;
            engine.onClose(session);
        }
    }

    private static final class Loop implements Connection {
        final Consumer<byte[]> frames;
        final AtomicLong sent = new AtomicLong();
        volatile boolean open = true;

        Loop(Consumer<byte[]> frames) {
            this.frames = frames;
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return new InetSocketAddress("127.0.0.1", 1);
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close(int code, String reason) {
            open = false;
        }

        @Override
        public void abort(int code, String reason) {
            open = false;
        }

        @Override
        public int queuedFrames() {
            return 0;
        }

        @Override
        public long queuedBytes() {
            return 0;
        }

        @Override
        public boolean sendText(byte[] utf8Json) {
            if (!open) {
                return false;
            }
            sent.incrementAndGet();
            frames.accept(utf8Json);
            return true;
        }
    }
}
