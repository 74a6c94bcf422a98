package io.geows.example.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.geows.CloseCodes;
import io.geows.client.ConnectionState;
import io.geows.client.GeoWsClient;
import io.geows.client.Message;
import io.geows.client.RequestRejectedException;
import io.geows.client.RoomListener;
import io.geows.memory.InMemoryBroker;
import io.geows.spi.Position;
import io.geows.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The embedding example of docs/embedding.md, run: two regions of the order service, a customer's Java client. */
class OrderServiceIntegrationTests {
    private static final byte[] SECRET = "the-order-services-jwt-secret-32b!".getBytes(StandardCharsets.UTF_8);
    private static final long WAIT = 15;

    private static String token(String user) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject(user)
                .expirationTime(new Date(System.currentTimeMillis() + 3_600_000)).build());
        jwt.sign(new MACSigner(SECRET));
        return jwt.serialize();
    }

    @Test
    void customerGetsUpdatesFromAnyRegionAsksOverRpcAndChatIsModerated() throws Exception {
        InMemoryBroker broker = new InMemoryBroker();
        try (OrderService eu = new OrderService("eu-west", 0, broker.connect("orders-eu"), SECRET);
             OrderService us = new OrderService("us-east", 0, broker.connect("orders-us"), SECRET)) {
            eu.place("A-1", "alice");
            us.place("A-1", "alice"); // (each instance's own order store, as a shared database would be)
            us.place("B-7", "bob");
            GeoWsClient alice = GeoWsClient.builder().region("eu-west", eu.uri()).token(token("alice")).build();
            try (alice) {
                alice.connect().get(WAIT, TimeUnit.SECONDS);
                BlockingQueue<Message> updates = new LinkedBlockingQueue<>();
                alice.join("orders:alice", (RoomListener) updates::add).get(WAIT, TimeUnit.SECONDS);

                // The pipeline in us-east moves the order on; alice is connected in eu-west.
                Position shipped = us.update("A-1", "shipped").get(WAIT, TimeUnit.SECONDS);
                assertThat(us.update("A-1", "shipped").get(WAIT, TimeUnit.SECONDS)).as("a retry").isEqualTo(shipped);
                Message m = updates.poll(WAIT, TimeUnit.SECONDS);
                assertThat(m).isNotNull();
                assertThat(m.from()).as("sent by the application").isNull();
                assertThat(m.data(Map.class)).containsEntry("status", "shipped");
                assertThat(m.offset()).isEqualTo(shipped.offset());

                assertThat(alice.rpc("order.status", Map.of("order", "A-1")).get(WAIT, TimeUnit.SECONDS)
                        .data(Map.class)).containsEntry("status", "placed"); // eu's own store
                assertThatThrownBy(() -> alice.rpc("order.status", Map.of("order", "B-7")).get(WAIT, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(RequestRejectedException.class)
                        .hasMessageContaining("app.not_found");
                assertThatThrownBy(() -> alice.publish("orders:alice", "forged").get(WAIT, TimeUnit.SECONDS))
                        .cause().hasMessageContaining("forbidden");

                BlockingQueue<Message> chat = new LinkedBlockingQueue<>();
                alice.join("chat:lobby", (RoomListener) chat::add).get(WAIT, TimeUnit.SECONDS);
                assertThatThrownBy(() -> alice.publish("chat:lobby", "x".repeat(600)).get(WAIT, TimeUnit.SECONDS))
                        .cause().hasMessageContaining("app.too_long");
                alice.publish("chat:lobby", "see http://example.com").get(WAIT, TimeUnit.SECONDS);
                assertThat(chat.poll(WAIT, TimeUnit.SECONDS).data(String.class)).isEqualTo("see https://example.com");

                us.block("alice").get(WAIT, TimeUnit.SECONDS);
                Await.until("alice's client gives up", Duration.ofSeconds(WAIT), () -> alice.state() == ConnectionState.CLOSED);
            }
            assertThat(CloseCodes.isFinal(CloseCodes.FOR_GOOD)).isTrue();
        }
    }
}
