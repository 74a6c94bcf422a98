package io.geows.spring;

import io.geows.GeoWsNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What both health indicators (Spring Boot 3 and 4) report: the node and the brokers that are down. */
final class HealthDetails {
    private HealthDetails() {
    }

    static Map<String, Object> of(GeoWsNode node) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("region", node.region());
        details.put("node", node.nodeId());
        List<String> down = node.brokersDown();
        if (!down.isEmpty()) {
            details.put("brokersDown", down);
        }
        return details;
    }
}
