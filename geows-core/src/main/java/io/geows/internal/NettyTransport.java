package io.geows.internal;

import io.geows.CloseCodes;
import io.geows.GeoWsException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's WebSocket server, on Netty. Each connection belongs to one event loop: frames queued
 * for it by any thread are written by that loop in one drain (one buffer, one write, one flush for
 * everything queued), with no timer in the delivery path. What it enforces before a connection
 * becomes a session: TLS, the WebSocket upgrade within the hello timeout, the origin allow-list,
 * connections per address; after: frame size (1009), liveness by ping (a connection that reads
 * nothing for two ping intervals is closed).
 */
public final class NettyTransport {
    private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);
    private static final AttributeKey<WsSession> SESSION = AttributeKey.valueOf("geows.session");
    private static final AttributeKey<InetAddress> COUNTED = AttributeKey.valueOf("geows.address");

    private final NodeEngine engine;
    private final EventLoopGroup group;
    /** Its own thread for accepting: in a reconnect storm the I/O loops are busy, the accept queue must not be. */
    private final EventLoopGroup acceptor;
    private final Channel server;
    private final ChannelGroup sessions = new DefaultChannelGroup("geows-sessions", GlobalEventExecutor.INSTANCE);
    private final Set<String> allowedOrigins;
    private final int maxPerAddress;
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private final Set<Integer> refusalsLogged = ConcurrentHashMap.newKeySet();

    /** Connections waiting to be accepted, at most (the kernel caps it at {@code net.core.somaxconn}). */
    static final int ACCEPT_BACKLOG = 65_535;

    /** What the transport is told: where to listen and the limits it enforces. */
    public record Settings(InetSocketAddress address, int maxFrameBytes, Duration pingInterval, Duration handshakeTimeout,
                           Set<String> allowedOrigins, SSLContext tls, String nodeId) {
    }

    /**
     * Binds and starts serving.
     *
     * @throws GeoWsException when the address cannot be bound
     */
    public NettyTransport(Settings settings, NodeEngine engine) {
        this.engine = engine;
        this.allowedOrigins = Set.copyOf(settings.allowedOrigins());
        this.maxPerAddress = engine.limits().maxConnectionsPerAddress();
        this.group = IoLoops.shared();
        long pingSeconds = Math.max(1, settings.pingInterval().toSeconds());
        long handshakeMillis = settings.handshakeTimeout().toMillis();
        WebSocketServerProtocolConfig ws = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/").checkStartsWith(true).maxFramePayloadLength(settings.maxFrameBytes())
                .handleCloseFrames(true).handshakeTimeoutMillis(Math.max(1, handshakeMillis))
                // Close frames are ours to send (with the right code), and a violation must not drop the
                // TCP connection at once: the peer may still be writing, and a reset would discard our close frame.
                .sendCloseFrame(null).closeOnProtocolViolation(false).build();
        this.acceptor = IoLoops.acceptor(settings.nodeId());
        ServerBootstrap b = new ServerBootstrap().group(acceptor, group).channel(NioServerSocketChannel.class)
                // A reconnect storm must not overflow the accept queue: the kernel would drop handshakes and
                // clients would wait for TCP's retransmission (1 s, 3 s, 7 s). Capped by net.core.somaxconn.
                .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (settings.tls() != null) {
                            SSLEngine e = settings.tls().createSSLEngine();
                            e.setUseClientMode(false);
                            SslHandler ssl = new SslHandler(e);
                            ssl.setHandshakeTimeoutMillis(handshakeMillis + 1000); // ours below fires first
                            p.addLast(ssl);
                        }
                        p.addLast(new IdleStateHandler(pingSeconds, 0, 0, TimeUnit.SECONDS),
                                new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new Protocol(ws),
                                new WebSocketFrameAggregator(settings.maxFrameBytes()),
                                new Frames());
                        ch.eventLoop().schedule(() -> upgradeDeadline(ch, handshakeMillis), handshakeMillis, TimeUnit.MILLISECONDS);
                    }
                });
        try {
            this.server = b.bind(settings.address()).sync().channel();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            acceptor.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw GeoWsException.cannotBind(settings.address().getHostString(), settings.address().getPort(), e);
        }
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /**
     * Stops accepting, closes every session with 1001 (frames queued before are written first),
     * waits up to {@code grace} for the peers, then stops the event loops.
     */
    public void stop(Duration grace) {
        server.close().awaitUninterruptibly();
        acceptor.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        for (Channel ch : sessions) {
            WsSession s = ch.attr(SESSION).get();
            if (s != null) {
                s.close(CloseCodes.GOING_AWAY, "node shutting down");
            }
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (Channel ch : sessions) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            ch.closeFuture().awaitUninterruptibly(TimeUnit.NANOSECONDS.toMillis(left) + 1);
        }
    }

    /** Closes a connection that is not a session yet when the upgrade deadline passes; counted. */
    private void upgradeDeadline(Channel ch, long millis) {
        if (ch.isActive() && ch.attr(SESSION).get() == null) {
            engine.counters().connectionsRefused.increment();
            if (refusalsLogged.add(-1)) {
                log.warn("closed a connection from {} that did not finish the WebSocket upgrade within {} ms "
                        + "(further ones at debug)", ch.remoteAddress(), millis);
            } else {
                log.debug("closed a connection from {}: no upgrade within {} ms", ch.remoteAddress(), millis);
            }
            ch.close();
        }
    }

    /** Refuses an upgraded connection before it becomes a session: close code, counted, logged once per code. */
    private void refuse(Channel ch, int code, String reason, String detail) {
        engine.counters().connectionsRefused.increment();
        if (refusalsLogged.add(code)) {
            log.warn("refused a connection from {}: {} (close {}; further refusals at debug)", ch.remoteAddress(), detail, code);
        } else {
            log.debug("refused a connection from {}: {} (close {})", ch.remoteAddress(), detail, code);
        }
        ch.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }

    /** Netty's WebSocket protocol handler, but a bad frame is answered with its close code, not a dropped connection. */
    private final class Protocol extends WebSocketServerProtocolHandler {
        Protocol(WebSocketServerProtocolConfig config) {
            super(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, java.util.List<Object> out) throws Exception {
            if (frame instanceof CloseWebSocketFrame close) {
                WsSession s = ctx.channel().attr(SESSION).get();
                if (s != null) {
                    // The client's reason to leave, unless the node had one first (told to connection listeners).
                    s.closedWith(close.statusCode() < 0 ? CloseCodes.NO_STATUS : close.statusCode(), close.reasonText());
                }
            }
            super.decode(ctx, frame, out);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
            if (!(cause instanceof CorruptedWebSocketFrameException bad)) {
                super.exceptionCaught(ctx, cause);
                return;
            }
            WsSession s = ctx.channel().attr(SESSION).get();
            String reason = clip(String.valueOf(bad.getMessage()), 100);
            if (s == null) {
                ctx.channel().writeAndFlush(new CloseWebSocketFrame(bad.closeStatus().code(), reason))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            s.logOnce("closed:", "bad WebSocket frame (" + bad.closeStatus().code() + "): " + reason);
            s.close(bad.closeStatus().code(), reason); // the connection counts 1009 as a limit disconnect
        }
    }

    private final class Frames extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete hs) {
                opened(ctx.channel(), hs);
            } else if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
                idle(ctx.channel(), idle);
            }
            super.userEventTriggered(ctx, evt);
        }

        private void opened(Channel ch, WebSocketServerProtocolHandler.HandshakeComplete hs) {
            String origin = hs.requestHeaders().get("Origin", "");
            if (!allowedOrigins.isEmpty() && !origin.isEmpty() && !allowedOrigins.contains(origin)) {
                refuse(ch, CloseCodes.ORIGIN_NOT_ALLOWED, "origin not allowed", "origin '" + clip(origin, 100) + "' is not allowed");
                return;
            }
            InetAddress address = ((InetSocketAddress) ch.remoteAddress()).getAddress();
            if (maxPerAddress > 0 && address != null) {
                int n = perAddress.merge(address, 1, Integer::sum);
                if (n > maxPerAddress) {
                    release(address);
                    refuse(ch, CloseCodes.TOO_MANY_CONNECTIONS, "too many connections from your address",
                            "more than " + maxPerAddress + " connections from " + address.getHostAddress());
                    return;
                }
                ch.attr(COUNTED).set(address);
            }
            WsSession s = engine.newSession(new NettyConnection(ch, engine.counters()));
            ch.attr(SESSION).set(s);
            sessions.add(ch);
            engine.onOpen(s);
        }

        /** Nothing read for a ping interval: ping; for a second one: the peer is gone. */
        private void idle(Channel ch, IdleStateEvent idle) {
            if (ch.attr(SESSION).get() == null) {
                return; // not upgraded: the upgrade deadline handles it
            }
            if (idle.isFirst()) {
                ch.writeAndFlush(new PingWebSocketFrame(), ch.voidPromise());
            } else {
                log.debug("no answer to a ping from {}: closing", ch.remoteAddress());
                ch.close();
            }
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
        public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
            WsSession s = ctx.channel().attr(SESSION).get();
            if (s != null && ctx.channel().isWritable()) {
                ((NettyConnection) s.connection()).drain();
            }
            super.channelWritabilityChanged(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            Channel ch = ctx.channel();
            InetAddress counted = ch.attr(COUNTED).getAndSet(null);
            if (counted != null) {
                release(counted);
            }
            WsSession s = ch.attr(SESSION).get();
            if (s != null) {
                ((NettyConnection) s.connection()).discard();
                engine.onClose(s);
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Channel ch = ctx.channel();
            WsSession s = ch.attr(SESSION).get();
            if (cause instanceof TooLongFrameException && s != null) { // a fragmented message over the limit
                s.logOnce("closed:", "message over the size limit");
                s.close(CloseCodes.TOO_BIG, "message too big");
                return;
            }
            log.debug("connection error on {}", ch.remoteAddress(), cause);
            ch.close();
        }
    }

    private void release(InetAddress address) {
        perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }
}
