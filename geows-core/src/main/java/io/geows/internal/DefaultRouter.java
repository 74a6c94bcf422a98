package io.geows.internal;

import io.geows.Envelope;
import io.geows.spi.PresenceMember;
import io.geows.spi.Route;
import io.geows.spi.RouteContext;
import io.geows.spi.Router;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Room messages to the room topic; direct messages to the inbox of each other node holding the user. */
public final class DefaultRouter implements Router {
    public static final DefaultRouter INSTANCE = new DefaultRouter();

    private DefaultRouter() {
    }

    @Override
    public Route route(Envelope message, RouteContext context) {
        switch (message.kind()) {
            case ROOM:
                return Route.to(context.topics().room(message.room()));
            case DIRECT:
                Set<String> topics = new LinkedHashSet<>();
                for (PresenceMember m : context.recipients()) {
                    if (!m.nodeId().equals(context.nodeId())) {
                        topics.add(context.topics().node(m.nodeId()));
                    }
                }
                return Route.to(List.copyOf(topics));
            default:
                return Route.to(context.topics().all());
        }
    }
}
