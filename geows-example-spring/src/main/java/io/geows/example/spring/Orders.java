package io.geows.example.spring;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Service;

/** The order store (in memory here; a database in a real service, shared by the regions). */
@Service
public class Orders {

    /** An order: whose it is, and where it stands. */
    public record Order(String id, String customer, String status) {
    }

    private final Map<String, Order> orders = new ConcurrentHashMap<>();

    /** Takes an order in, or moves it on. */
    public Order save(String id, String customer, String status) {
        Order order = new Order(id, customer, status);
        orders.put(id, order);
        return order;
    }

    /** The order, if there is one. */
    public Optional<Order> find(String id) {
        return Optional.ofNullable(orders.get(id));
    }
}
