package io.geows.internal;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.framing.TextFrame;

/**
 * A {@link Connection} on Java-WebSocket. Frames go as wire bytes straight into the library's
 * outbound queue (see {@link WireFrames}); the selector is woken once per fan-out.
 */
final class JwsConnection implements Connection {
    private final WebSocket conn;

    JwsConnection(WebSocket conn) {
        this.conn = conn;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        try {
            return conn.getRemoteSocketAddress();
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public boolean isOpen() {
        return conn.isOpen();
    }

    @Override
    public void close(int code, String reason) {
        conn.close(code, reason);
    }

    @Override
    public void abort(int code, String reason) {
        if (conn instanceof WebSocketImpl impl && !impl.isClosed()) {
            impl.closeConnection(code, reason);
        }
    }

    @Override
    public int queuedFrames() {
        return conn instanceof WebSocketImpl impl ? impl.outQueue.size() : 0;
    }

    @Override
    public long queuedBytes() {
        if (!(conn instanceof WebSocketImpl impl)) {
            return 0;
        }
        long sum = 0;
        for (ByteBuffer b : impl.outQueue) {
            sum += b.remaining();
        }
        return sum;
    }

    @Override
    public boolean sendText(byte[] utf8Json) {
        if (conn instanceof WebSocketImpl impl) {
            SelectionKey key = impl.getSelectionKey();
            if (key == null) {
                return false;
            }
            impl.outQueue.add(WireFrames.frame(utf8Json));
            try {
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            } catch (CancelledKeyException e) {
                return false; // closed meanwhile
            }
            WireFrames.wakeup(key.selector());
            return true;
        }
        TextFrame frame = new TextFrame();
        frame.setPayload(ByteBuffer.wrap(utf8Json));
        frame.setFin(true);
        try {
            conn.sendFrame(frame);
            return true;
        } catch (WebsocketNotConnectedException e) {
            return false;
        }
    }
}
