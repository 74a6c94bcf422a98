package io.geows.example.spring;

import io.geows.ConnectionListener;
import io.geows.PublishDecision;
import io.geows.PublishInterceptor;
import io.geows.RoomAuthorizer;
import io.geows.RpcHandler;
import io.geows.RpcReply;
import io.geows.SessionInfo;
import io.geows.spring.RpcMethod;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The service's rules for its sockets: beans the geows starter hands to the node. */
@Configuration(proxyBeanMethods = false)
public class OrderRules {
    private static final Logger log = LoggerFactory.getLogger(OrderRules.class);

    // snippet:spring-beans
    /** A customer reads their own order room (only the service writes there) and talks in chat rooms. */
    @Bean
    RoomAuthorizer rooms() {
        return (who, action, room) -> room.equals("orders:" + who.userId())
                ? action != RoomAuthorizer.Action.PUBLISH
                : room.startsWith("chat:");
    }

    /** Chat rules, before anything is stored or delivered. */
    @Bean
    PublishInterceptor moderation() {
        return PublishInterceptor.of(message -> {
            if (message.data().length() > 500) {
                return PublishDecision.reject("too_long", "at most 500 characters");   // app.too_long
            }
            return message.data().contains("http://")
                    ? PublishDecision.acceptWith(message.data().replace("http://", "https://"))
                    : PublishDecision.accept();
        });
    }

    /** {@code order.status}: {"order": "A-1"} -> {"order": "A-1", "status": "shipped"}, the caller's orders only. */
    @Bean
    RpcMethod orderStatus(Orders orders) {
        return new RpcMethod("order.status", RpcHandler.of(call -> {
            String id = Json.parse(call.data()).path("order").asText();
            return orders.find(id)
                    .filter(o -> o.customer().equals(call.session().userId()))
                    .map(o -> RpcReply.result(Json.of(Map.of("order", id, "status", o.status()))))
                    .orElse(RpcReply.error("not_found", "no order " + id));          // app.not_found
        }));
    }
    // end-snippet

    /** Who comes and goes, for the log. */
    @Bean
    ConnectionListener connections() {
        return new ConnectionListener() {
            @Override
            public void connected(SessionInfo session) {
                log.info("{} connected in {}", session.userId(), session.region());
            }
        };
    }
}
