package io.geows.example.spring;

import io.geows.BrokerUnavailableException;
import io.geows.GeoWsNode;
import io.geows.spi.Position;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The order pipeline's REST endpoint (called by the warehouse, the payment service, ...): each status
 * change is stored and pushed to every session of the customer, in every region, through the node.
 * (Protect it as the rest of your service: it is not for browsers.)
 */
@RestController
public class OrderController {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final Orders orders;
    private final GeoWsNode node;

    public OrderController(Orders orders, GeoWsNode node) {
        this.orders = orders;
        this.node = node;
    }

    /** A status change: {@code {"customer": "alice", "status": "shipped"}}. */
    public record StatusChange(String customer, String status) {
    }

    /**
     * {@code POST /orders/A-1/status}: stores the status and pushes it to {@code orders:<customer>}. A
     * retry of the same change is not delivered twice (the message id is the order and the status).
     * Completes when the broker has it, with the room position: {@code {"room": ..., "offset": 7}}.
     */
    @PostMapping("/orders/{id}/status")
    public CompletableFuture<Map<String, Object>> status(@PathVariable("id") String id, @RequestBody StatusChange change) {
        check("order id", id);
        check("customer", change.customer());
        check("status", change.status());
        orders.save(id, change.customer(), change.status());
        // snippet:spring-publish
        String room = "orders:" + change.customer();                 // the customer's room, in every region
        return node.publish(room, id + ":" + change.status(),         // a retry with this id is delivered once
                        Json.of(Map.of("order", id, "status", change.status())))
                .thenApply((Position p) -> Map.of("room", room, "offset", p.offset()));
        // end-snippet
    }

    /** The broker is unreachable: nothing was pushed; the caller sends it again later. */
    @ExceptionHandler(BrokerUnavailableException.class)
    @ResponseStatus(HttpStatus.SERVICE_UNAVAILABLE)
    public Map<String, String> unavailable(BrokerUnavailableException e) {
        return Map.of("error", "unavailable", "message", e.getMessage());
    }

    private static void check(String what, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, what + " must be 1-64 letters, digits, '_', '.' or '-'");
        }
    }
}
