package io.geows.client;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.handshake.ServerHandshake;

/**
 * Measures a region: the time to open a WebSocket to it (TCP connect plus the HTTP upgrade, about
 * two round trips), then closes it. Needs no credentials, so it can run for every region at once.
 */
final class RttProbe extends WebSocketClient {
    private final CompletableFuture<Duration> result = new CompletableFuture<>();
    private long startNanos;

    private RttProbe(Region region, int timeoutMillis, javax.net.ssl.SSLContext tls) {
        super(region.uri(), new Draft_6455(), Map.of(), timeoutMillis);
        if (tls != null && "wss".equalsIgnoreCase(region.uri().getScheme())) {
            setSocketFactory(tls.getSocketFactory());
        }
        setConnectionLostTimeout(0);
        setTcpNoDelay(true);
        setDaemon(true);
    }

    /** Probes a region; never completes exceptionally: an unreachable region gives an unreachable probe. */
    static CompletableFuture<RegionProbe> probe(Region region, boolean ready, Duration timeout,
                                                ScheduledExecutorService timer, javax.net.ssl.SSLContext tls) {
        RttProbe p = new RttProbe(region, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()), tls);
        timer.schedule(() -> {
            if (p.result.completeExceptionally(new IllegalStateException("no answer within " + timeout))) {
                p.quietly(() -> p.closeConnection(1000, "probe timed out"));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        p.startNanos = System.nanoTime();
        p.connect();
        return p.result.handle((rtt, err) -> err == null ? RegionProbe.measured(region, rtt, ready)
                : RegionProbe.unreachable(region));
    }

    @Override
    public void onOpen(ServerHandshake handshake) {
        result.complete(Duration.ofNanos(System.nanoTime() - startNanos));
        quietly(() -> close(1000, "round-trip probe"));
    }

    @Override
    public void onMessage(String message) {
    }

    @Override
    public void onClose(int code, String reason, boolean remote) {
        result.completeExceptionally(new IllegalStateException("closed " + code + " " + reason));
    }

    @Override
    public void onError(Exception ex) {
        result.completeExceptionally(ex);
    }

    private void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            // closing a probe that is already closing
        }
    }
}
