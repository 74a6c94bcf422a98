package io.geows.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.geows.CloseCodes;
import io.geows.PublishDecision;
import io.geows.RpcHandler;
import io.geows.RpcReply;
import io.geows.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Java client with what an embedding application adds on the node: rpc, interceptor, server messages, disconnects. */
class EmbeddingApiClientIntegrationTests {
    private static final long WAIT = 15;

    private final TwoRegions regions = new TwoRegions(b -> b.hookTimeout(Duration.ofMillis(500))
            .rpc("order.status", RpcHandler.of(call -> call.data().contains("42")
                    ? RpcReply.result("{\"order\":42,\"status\":\"shipped\"}")
                    : RpcReply.error("not_found", "no such order")))
            .rpc("never", call -> new CompletableFuture<>())
            .publishInterceptor(io.geows.PublishInterceptor.of(r -> r.data().length() > 40
                    ? PublishDecision.reject("too_long", "at most 40 characters") : PublishDecision.accept())));
    private final ExecutorService listenerThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "app-listener"));

    @AfterEach
    void close() {
        regions.close();
        listenerThread.shutdownNow();
    }

    private GeoWsClient connect(GeoWsClient.Builder b) throws Exception {
        GeoWsClient c = regions.closeLater(b.build());
        c.connect().get(WAIT, TimeUnit.SECONDS);
        return c;
    }

    private static Throwable failure(CompletableFuture<?> f) {
        assertThatThrownBy(() -> f.get(WAIT, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        return f.handle((v, e) -> e).join();
    }

    @Test
    void rpcAnswersResultsAndEachError() throws Exception {
        GeoWsClient alice = connect(regions.client("alice").preferredRegion("eu-west"));
        RpcResult r = alice.rpc("order.status", Map.of("order", 42)).get(WAIT, TimeUnit.SECONDS);
        assertThat(r.data(Map.class)).containsEntry("status", "shipped");
        assertThat(r.method()).isEqualTo("order.status");

        Throwable notFound = failure(alice.rpc("order.status", Map.of("order", 7)));
        assertThat(notFound).isInstanceOf(RequestRejectedException.class);
        assertThat(((RequestRejectedException) notFound).code()).isEqualTo("app.not_found");
        assertThat(((RequestRejectedException) notFound).isApplicationError()).isTrue();
        assertThat(((RequestRejectedException) failure(alice.rpc("order.cancel", null))).code()).isEqualTo("unknown_method");
        assertThat(((RequestRejectedException) failure(alice.rpc("never", null))).code()).isEqualTo("timeout");
    }

    @Test
    void interceptorRejectionReachesTheClientWithoutRetries() throws Exception {
        Recorder room = new Recorder();
        GeoWsClient alice = connect(regions.client("alice"));
        alice.join("chat", room).get(WAIT, TimeUnit.SECONDS);
        Throwable tooLong = failure(alice.publish("chat", "x".repeat(60)));
        assertThat(((RequestRejectedException) tooLong).code()).isEqualTo("app.too_long");
        alice.publish("chat", "short").get(WAIT, TimeUnit.SECONDS);
        assertThat(Recorder.next(room.received, m -> true).data(String.class)).isEqualTo("short");
    }

    @Test
    void theApplicationsMessagesReachTheClientWithoutSender() throws Exception {
        Recorder room = new Recorder();
        Recorder events = new Recorder();
        GeoWsClient carol = connect(regions.client("carol").preferredRegion("eu-west").listener(events));
        carol.join("orders:carol", room).get(WAIT, TimeUnit.SECONDS);

        regions.us.publish("orders:carol", "order-42", "{\"status\":\"shipped\"}").get(WAIT, TimeUnit.SECONDS);
        Message m = Recorder.next(room.received, x -> true);
        assertThat(m.from()).isNull();
        assertThat(m.id()).isEqualTo("order-42");
        assertThat(m.region()).isEqualTo("us-east");

        Await.until("carol in the directory", Duration.ofSeconds(WAIT),
                () -> regions.us.sendToUser("carol", "{\"text\":\"hello\"}").join() > 0);
        assertThat(Recorder.next(events.directs, x -> true).from()).isNull();
    }

    @Test
    void disconnectForGoodClosesTheClientAndReconnectAllowsItBack() throws Exception {
        Recorder malloryEvents = new Recorder();
        Recorder daveEvents = new Recorder();
        GeoWsClient mallory = connect(regions.client("mallory").preferredRegion("eu-west").listener(malloryEvents));
        GeoWsClient dave = connect(regions.client("dave").preferredRegion("eu-west").listener(daveEvents));

        regions.us.disconnectUser("mallory", CloseCodes.FOR_GOOD, "banned").get(WAIT, TimeUnit.SECONDS);
        Await.until("mallory's client gives up", Duration.ofSeconds(WAIT), () -> mallory.state() == ConnectionState.CLOSED);

        regions.us.disconnectUser("dave", CloseCodes.RECONNECT, "password changed").get(WAIT, TimeUnit.SECONDS);
        ConnectionEvent back = Recorder.next(daveEvents.events, e -> e.state() == ConnectionState.FAILED_OVER);
        assertThat(back.region()).isNotNull();
        assertThat(dave.state()).isNotEqualTo(ConnectionState.CLOSED);
    }

    @Test
    void futuresCompleteOnTheListenerExecutor() throws Exception {
        GeoWsClient idle = regions.closeLater(regions.client("erin").listenerExecutor(listenerThread).maxPending(1).build());
        // The listener thread is held while the futures are made, so their continuations are attached
        // before anything can complete them: where they run is where the client completed them.
        java.util.concurrent.CountDownLatch hold = holdListenerThread();
        CompletableFuture<String> firstOn = idle.publish("room", 1) // not connected: it waits
                .handle((v, e) -> Thread.currentThread().getName());
        CompletableFuture<String> fullOn = idle.publish("room", 2).handle((v, e) -> Thread.currentThread().getName());
        hold.countDown();
        assertThat(fullOn.get(WAIT, TimeUnit.SECONDS)).as("QueueFullException completes on").isEqualTo("app-listener");

        idle.close();
        assertThat(firstOn.get(WAIT, TimeUnit.SECONDS)).as("a pending publish failed by close() completes on")
                .isEqualTo("app-listener");
        hold = holdListenerThread();
        CompletableFuture<String> closedOn = idle.publish("room", 3).handle((v, e) -> Thread.currentThread().getName());
        hold.countDown();
        assertThat(closedOn.get(WAIT, TimeUnit.SECONDS)).as("'closed' completes on").isEqualTo("app-listener");
    }

    private java.util.concurrent.CountDownLatch holdListenerThread() {
        java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
        listenerThread.execute(() -> {
            try {
                hold.await(WAIT, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return hold;
    }

    @Test
    void cancellingAnUnsentPublishWithdrawsIt() throws Exception {
        Recorder room = new Recorder();
        GeoWsClient watcher = connect(regions.client("watcher"));
        watcher.join("news", room).get(WAIT, TimeUnit.SECONDS);

        GeoWsClient frank = regions.closeLater(regions.client("frank").build());
        CompletableFuture<RoomHandle> joined = frank.join("news", new Recorder());
        CompletableFuture<PublishAck> withdrawn = frank.publish("news", "never sent");
        assertThat(withdrawn.cancel(false)).isTrue();
        frank.connect().get(WAIT, TimeUnit.SECONDS);
        joined.get(WAIT, TimeUnit.SECONDS);
        frank.publish("news", "sent").get(WAIT, TimeUnit.SECONDS);

        assertThat(Recorder.next(room.received, m -> true).data(String.class)).isEqualTo("sent");
        List<String> history = regions.us.history("news", null, 10).get(WAIT, TimeUnit.SECONDS).messages().stream()
                .map(io.geows.RoomMessage::data).toList();
        assertThat(history).containsExactly("\"sent\"");
    }
}
