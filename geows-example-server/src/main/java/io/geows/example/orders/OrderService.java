package io.geows.example.orders;

// snippet:order-service-imports
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.geows.CloseCodes;
import io.geows.ConnectionListener;
import io.geows.GeoWsNode;
import io.geows.Identity;
import io.geows.PublishDecision;
import io.geows.PublishInterceptor;
import io.geows.PublishRequest;
import io.geows.RoomAuthorizer;
import io.geows.RpcCall;
import io.geows.RpcHandler;
import io.geows.RpcReply;
import io.geows.SessionInfo;
import io.geows.auth.JwtAuthenticator;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.Position;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
// end-snippet

/**
 * An order service that embeds a geows node, the example of {@code docs/embedding.md}: it pushes
 * status updates to each customer's room ({@code orders:<user>}), answers the browser's
 * {@code order.status} calls over the same socket, and keeps its chat rooms ({@code chat:*}) civil
 * with a publish interceptor. Run it with {@link #main}; the tests drive it with the Java client.
 */
public final class OrderService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OrderService.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An order: whose it is, and where it stands. */
    public record Order(String customer, String status) {
    }

    private final Map<String, Order> orders = new ConcurrentHashMap<>();
    private final GeoWsNode node;

    /**
     * Starts the service's node.
     *
     * @param region    the region this instance serves
     * @param port      the WebSocket port, 0 for any free one
     * @param broker    the broker connection (the node owns it)
     * @param jwtSecret the HMAC secret the application's login service signs tokens with
     */
    public OrderService(String region, int port, BrokerAdapter broker, byte[] jwtSecret) {
        // snippet:order-service-node
        node = GeoWsNode.builder()
                .region(region)
                .port(port)                                             // 0: any free port
                .broker(broker)                                         // in-memory, Redis, NATS or Kafka
                .authenticator(JwtAuthenticator.builder().hmacSecret(jwtSecret).build())
                .roomAuthorizer(OrderService::mayUse)
                .rpc("order.status", RpcHandler.of(this::status))       // answers the browser's rpc
                .publishInterceptor(PublishInterceptor.of(OrderService::moderate))
                .connectionListener(new ConnectionListener() {
                    @Override
                    public void connected(SessionInfo session) {
                        log.info("{} connected in {}", session.userId(), session.region());
                    }
                })
                .build()
                .start();
        // end-snippet
    }

    // snippet:order-service-rules
    /** A customer reads their own order room and talks in the chat rooms. */
    private static boolean mayUse(Identity who, RoomAuthorizer.Action action, String room) {
        if (room.equals("orders:" + who.userId())) {
            return action != RoomAuthorizer.Action.PUBLISH;        // only the service writes there
        }
        return room.startsWith("chat:");
    }

    /** Chat rules, before anything is stored or delivered. */
    private static PublishDecision moderate(PublishRequest message) {
        String text = message.data();
        if (text.length() > 500) {
            return PublishDecision.reject("too_long", "at most 500 characters");   // app.too_long
        }
        if (text.contains("http://")) {
            return PublishDecision.acceptWith(text.replace("http://", "https://"));
        }
        return PublishDecision.accept();
    }

    /** {@code order.status}: {"order": "A-1"} -> {"order": "A-1", "status": "..."}. */
    private RpcReply status(RpcCall call) {
        JsonNode args = parse(call.data());
        String id = args.path("order").asText();
        Order order = orders.get(id);
        if (order == null || !order.customer().equals(call.session().userId())) {
            return RpcReply.error("not_found", "no order " + id);             // app.not_found
        }
        return RpcReply.result(json(Map.of("order", id, "status", order.status())));
    }
    // end-snippet

    // snippet:order-service-push
    /**
     * The order pipeline moved an order on: every session of the customer, in every region, gets
     * it now, and a customer who is offline gets it on resume (it is in the room's history).
     */
    public CompletableFuture<Position> update(String orderId, String status) {
        Order order = orders.computeIfPresent(orderId, (id, o) -> new Order(o.customer(), status));
        if (order == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no order " + orderId));
        }
        return node.publish("orders:" + order.customer(),
                orderId + ":" + status,                                 // the same id twice is delivered once
                json(Map.of("order", orderId, "status", status)));
    }

    /** A customer's account was blocked: their sessions close in every region, and stay closed. */
    public CompletableFuture<Void> block(String customer) {
        return node.disconnectUser(customer, CloseCodes.FOR_GOOD, "account blocked");
    }
    // end-snippet

    /** Takes a new order in. */
    public void place(String orderId, String customer) {
        orders.put(orderId, new Order(customer, "placed"));
    }

    /** Where clients connect. */
    public URI uri() {
        return node.uri();
    }

    /** The node, for what this example does not wrap. */
    public GeoWsNode node() {
        return node;
    }

    @Override
    public void close() {
        node.close();
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not JSON: " + json, e);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * Runs the service on port 8090 with the in-memory broker, its JWT secret from
     * {@code ORDERS_JWT_SECRET} (at least 32 bytes).
     */
    public static void main(String[] args) throws InterruptedException {
        String secret = System.getenv("ORDERS_JWT_SECRET");
        if (secret == null || secret.length() < 32) {
            System.err.println("set ORDERS_JWT_SECRET to the secret (32+ bytes) your tokens are signed with");
            System.exit(2);
        }
        try (OrderService service = new OrderService("eu-west", 8090,
                new io.geows.memory.InMemoryBroker().connect("orders-1"), secret.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            service.place("A-1", "alice");
            log.info("order service on {}", service.uri());
            Thread.currentThread().join();
        }
    }
}
