package io.geows.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Experimental WebSocket transport on Netty ({@code -Dgeows.transport=netty}): a connection's frames
 * are queued by any thread and written by the connection's own event loop in one drain (one task,
 * one flush) per batch, with no timer in the delivery path. Not yet: TLS, origin allow-list,
 * connections per address, handshake deadline, ping-based liveness (Java-WebSocket's transport has
 * them, and stays the default until this one does).
 */
public final class NettyTransport {
    private static final AttributeKey<WsSession> SESSION = AttributeKey.valueOf("geows.session");

    private final NodeEngine engine;
    private final EventLoopGroup group;
    private final Channel server;

    public NettyTransport(InetSocketAddress address, NodeEngine engine, int maxFrameBytes) throws InterruptedException {
        this.engine = engine;
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                        .websocketPath("/").checkStartsWith(true).maxFramePayloadLength(maxFrameBytes)
                                        .handleCloseFrames(true).build()),
                                new Frames());
                    }
                });
        this.server = b.bind(address).sync().channel();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public void stop() {
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private final class Frames extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                WsSession s = engine.newSession(new NettyConnection(ctx.channel()));
                ctx.channel().attr(SESSION).set(s);
                engine.onOpen(s);
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            WsSession s = ctx.channel().attr(SESSION).get();
            if (s == null) {
                return;
            }
            if (frame instanceof TextWebSocketFrame t) {
                engine.onText(s, t.text());
            } else if (frame instanceof BinaryWebSocketFrame) {
                engine.onBinary(s);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            WsSession s = ctx.channel().attr(SESSION).get();
            if (s != null) {
                engine.onClose(s);
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** A connection whose writes are drained by its own event loop. */
    static final class NettyConnection implements Connection {
        private final Channel ch;
        private final Queue<byte[]> queue = new ConcurrentLinkedQueue<>();
        private final AtomicInteger queued = new AtomicInteger();
        private final AtomicLong queuedBytes = new AtomicLong();
        private final AtomicBoolean drainScheduled = new AtomicBoolean();
        private final Runnable drain = this::drain;

        NettyConnection(Channel ch) {
            this.ch = ch;
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return (InetSocketAddress) ch.remoteAddress();
        }

        @Override
        public boolean isOpen() {
            return ch.isActive();
        }

        @Override
        public void close(int code, String reason) {
            ch.eventLoop().execute(() -> {
                drain();
                ch.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
            });
        }

        @Override
        public void abort(int code, String reason) {
            ch.close();
        }

        @Override
        public int queuedFrames() {
            return queued.get();
        }

        @Override
        public long queuedBytes() {
            return queuedBytes.get();
        }

        @Override
        public boolean sendText(byte[] utf8Json) {
            if (!ch.isActive()) {
                return false;
            }
            queue.add(utf8Json);
            queued.incrementAndGet();
            queuedBytes.addAndGet(utf8Json.length);
            if (ch.eventLoop().inEventLoop()) {
                if (drainScheduled.compareAndSet(false, true)) {
                    ch.eventLoop().execute(drain); // after the current batch of work on this loop
                }
            } else if (drainScheduled.compareAndSet(false, true)) {
                ch.eventLoop().execute(drain);
            }
            return true;
        }

        private void drain() {
            drainScheduled.set(false);
            byte[] json;
            boolean wrote = false;
            while ((json = queue.poll()) != null) {
                ByteBuf payload = Unpooled.wrappedBuffer(json);
                ch.write(new TextWebSocketFrame(payload), ch.voidPromise());
                queued.decrementAndGet();
                queuedBytes.addAndGet(-json.length);
                wrote = true;
            }
            if (wrote) {
                ch.flush();
            }
        }
    }
}
