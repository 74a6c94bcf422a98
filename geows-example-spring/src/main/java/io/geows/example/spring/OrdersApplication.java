package io.geows.example.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small order service on Spring Boot and geows: {@link OrderController} takes status changes over
 * REST and pushes each to the customer's room ({@code orders:<user>}) in every region;
 * {@link OrderRules} answers the browser's {@code order.status} RPC over the same socket, decides who
 * may use which room and moderates the chat rooms. The node itself comes from the geows starter and
 * {@code application.properties}. Run it with {@code ./scripts/spring-sample.sh}.
 */
@SpringBootApplication
public class OrdersApplication {

    /** Starts the service. */
    public static void main(String[] args) {
        SpringApplication.run(OrdersApplication.class, args);
    }
}
