package io.geows.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client without a node: argument checks, the bounded queue, close. No sockets are opened. */
class GeoWsClientTests {
    private static GeoWsClient client(int maxPending) {
        return GeoWsClient.builder().region("us-east", URI.create("ws://127.0.0.1:1/")).token("alice")
                .maxPending(maxPending).build();
    }

    @Test
    void publishesBeyondThePendingLimitFailWithQueueFull() {
        try (GeoWsClient client = client(2)) {
            CompletableFuture<PublishAck> first = client.publish("lobby", 1);
            CompletableFuture<PublishAck> second = client.direct("bob", 2).thenApply(a -> null);
            CompletableFuture<PublishAck> third = client.publish("lobby", 3);

            // (on the listener executor, like every completion: see EmbeddingApiClientIntegrationTests)
            assertThatThrownBy(() -> third.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(QueueFullException.class)
                    .hasMessageContaining("2 messages already wait").hasMessageContaining("maxPending");
            assertThat(first).isNotDone();
            assertThat(second).isNotDone();
        }
    }

    @Test
    void closeFailsWhatIsPendingAndFreesTheQueue() throws Exception {
        GeoWsClient client = client(1);
        CompletableFuture<PublishAck> queued = client.publish("lobby", Map.of("text", "hi"));

        client.close();

        assertThatThrownBy(() -> queued.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(GeoWsClientException.class)
                .hasMessageContaining("closed");
        CompletableFuture<PublishAck> after = client.publish("lobby", 2);
        assertThatThrownBy(() -> after.get(5, TimeUnit.SECONDS)).hasMessageContaining("closed");
        assertThatThrownBy(() -> client.connect().join()).isInstanceOf(CompletionException.class);
    }

    @Test
    void invalidArgumentsAreRejectedAtOnce() {
        try (GeoWsClient client = client(10)) {
            assertThatThrownBy(() -> client.publish("", 1)).hasMessageContaining("1-128");
            assertThatThrownBy(() -> client.publish("a\nb", 1)).hasMessageContaining("control");
            assertThatThrownBy(() -> client.publishJson("lobby", "{not json")).hasMessageContaining("not valid JSON");
            assertThatThrownBy(() -> client.publish("lobby", new Object())).hasMessageContaining("cannot serialize");
            assertThatThrownBy(() -> client.publish("lobby", "x".repeat(70_000))).hasMessageContaining("maxFrameBytes");
            assertThatThrownBy(() -> client.join("lobby", null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> client.direct("", 1)).hasMessageContaining("user");
        }
    }

    @Test
    void joiningTheSameRoomTwiceFails() throws Exception {
        try (GeoWsClient client = client(10)) {
            client.join("lobby", m -> { });
            CompletableFuture<RoomHandle> again = client.join("lobby", m -> { });

            assertThatThrownBy(() -> again.get(5, TimeUnit.SECONDS)).hasMessageContaining("already joined");
        }
    }

    @Test
    void leavingARoomNeverJoinedIsDone() throws Exception {
        try (GeoWsClient client = client(10)) {
            assertThat(client.leave("nowhere").get(5, TimeUnit.SECONDS)).isNull();
        }
    }

    @Test
    void requestsTimeOutWhenNoNodeAnswers() {
        try (GeoWsClient client = GeoWsClient.builder().region("us-east", URI.create("ws://127.0.0.1:1/")).token("a")
                .requestTimeout(Duration.ofMillis(300)).build()) {
            CompletableFuture<PublishAck> f = client.publish("lobby", 1);

            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasMessageContaining("no answer within PT0.3S");
        }
    }
}
