package io.geows.nats;

import static io.geows.testkit.ResidencyChat.EU_ROOM;
import static io.geows.testkit.ResidencyChat.KEYS;
import static io.geows.testkit.ResidencyChat.RULES;
import static io.geows.testkit.ResidencyChat.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.testkit.Await;
import io.geows.testkit.NatsServer;
import io.geows.testkit.ResidencyChat;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StreamInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data residency on NATS: {@code eu-west} and {@code us-east} each with a NATS server of their own
 * (a one-server cluster per region) for their pinned rooms, plus a global one. A plain jnats
 * subscriber on {@code >} (every subject: publishes, JetStream API requests and their replies,
 * key-value writes) on the US and the global server, and a read of every message their streams
 * store, find no byte of the EU room while EU members chat; a global room reaches both regions.
 */
class NatsResidencyIntegrationTests {
    private static final Logger log = LoggerFactory.getLogger(NatsResidencyIntegrationTests.class);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static NatsBroker broker(NatsServer server, String name) {
        return NatsBroker.builder().url(server.uri()).connectionName(name)
                .requestTimeout(Duration.ofSeconds(2)).build();
    }

    private static GeoWsNode node(String region, String id, NatsServer global, String zone, NatsServer zoneServer) {
        return GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region(region).nodeId(id)
                .publicUrl("ws://127.0.0.1:1/" + id).interRegionKeys(KEYS).residency(RULES)
                .broker(broker(global, id)).zoneBroker(zone, broker(zoneServer, id + "-" + zone))
                .presenceTtl(Duration.ofSeconds(2)).drainTimeout(Duration.ZERO).build().start();
    }

    /** Everything a plain subscriber on {@code >} hears: subject, then payload. */
    private static List<String> tap(Connection c) {
        List<String> heard = new CopyOnWriteArrayList<>();
        Dispatcher d = c.createDispatcher(m -> heard.add(m.getSubject() + " "
                + new String(m.getData(), StandardCharsets.UTF_8)));
        d.subscribe(">");
        return heard;
    }

    /** Every message the server's streams hold, as subject and payload. */
    private static List<String> stored(Connection c) throws Exception {
        JetStreamManagement jsm = c.jetStreamManagement();
        List<String> out = new ArrayList<>();
        for (String stream : jsm.getStreamNames()) {
            StreamInfo info = jsm.getStreamInfo(stream);
            for (long seq = info.getStreamState().getFirstSequence(); seq > 0
                    && seq <= info.getStreamState().getLastSequence(); seq++) {
                try {
                    MessageInfo m = jsm.getMessage(stream, seq);
                    out.add(stream + " " + m.getSubject() + " " + new String(m.getData(), StandardCharsets.UTF_8));
                } catch (io.nats.client.JetStreamApiException deleted) {
                    // a gap in the sequence: nothing stored there
                }
            }
        }
        return out;
    }

    @Test
    @DisplayName("an EU-pinned chat leaves no byte on the US or the global NATS; a global room reaches both regions")
    void pinnedRoomNeverReachesOtherServers() throws Exception {
        try (NatsServer global = NatsServer.builder().jetStream().start();
             NatsServer euNats = NatsServer.builder().jetStream().start();
             NatsServer usNats = NatsServer.builder().jetStream().start();
             Connection usRaw = Nats.connect(usNats.uri());
             Connection globalRaw = Nats.connect(global.uri());
             Connection euRaw = Nats.connect(euNats.uri())) {
            List<String> usHeard = tap(usRaw);
            List<String> globalHeard = tap(globalRaw);
            List<String> euHeard = tap(euRaw);
            usRaw.flush(Duration.ofSeconds(5));
            globalRaw.flush(Duration.ofSeconds(5));
            euRaw.flush(Duration.ofSeconds(5));

            try (GeoWsNode eu = node("eu-west", "eu-1", global, "eu", euNats);
                 GeoWsNode us = node("us-east", "us-1", global, "us", usNats)) {
                Await.until("nodes ready", WAIT, () -> eu.isReady() && us.isReady());
                ResidencyChat.run(eu, us, EU_ROOM, SECRET, WAIT);
                Await.until("the US tap heard the US room", WAIT, () -> usHeard.stream().anyMatch(l -> l.contains("us-desk")));
                Await.until("the EU tap heard the secret", WAIT, () -> euHeard.stream().anyMatch(l -> l.contains(SECRET)));
            }
            List<String> usStored = stored(usRaw);
            List<String> globalStored = stored(globalRaw);
            List<String> euStored = stored(euRaw);
            for (var watched : List.of(Map.entry("US heard", usHeard), Map.entry("global heard", globalHeard),
                    Map.entry("US stored", usStored), Map.entry("global stored", globalStored))) {
                assertThat(watched.getValue()).as(watched.getKey() + ": the EU room, its data, its message ids")
                        .noneMatch(l -> l.contains(EU_ROOM) || l.contains(SECRET) || l.contains("\"eu-3\""));
            }
            assertThat(globalHeard).as("the global room went through the global NATS").anyMatch(l -> l.contains("global-1"));
            assertThat(euStored).as("the EU room is stored on the EU NATS").anyMatch(l -> l.contains(SECRET));
            log.info("residency evidence (NATS): the US subscriber on '>' heard {} messages and its streams store {}, the global "
                    + "one heard {} and stores {}, none naming '{}' or carrying its data; the EU server's tap heard {} "
                    + "({} naming it) and it stores {}", usHeard.size(), usStored.size(), globalHeard.size(),
                    globalStored.size(), EU_ROOM, euHeard.size(), euHeard.stream().filter(l -> l.contains(EU_ROOM)).count(),
                    euStored.size());
        }
    }
}
