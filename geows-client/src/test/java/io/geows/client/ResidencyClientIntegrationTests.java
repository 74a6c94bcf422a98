package io.geows.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.Residency;
import io.geows.memory.InMemoryBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client follows {@code wrong_region}: three real nodes, {@code us-east} and the EU zone's
 * {@code eu-west} and {@code eu-central} (which alone hold the EU rooms, on a broker of their own).
 */
class ResidencyClientIntegrationTests {
    private static final Logger log = LoggerFactory.getLogger(ResidencyClientIntegrationTests.class);
    private static final long WAIT = 15;
    private static final Residency RULES = Residency.builder().regions("us-east", "eu-west", "eu-central")
            .zone("eu", "eu-west", "eu-central").pin("eu:*", "eu").pinUsers("eu.*", "eu").build();

    private final InMemoryBroker global = new InMemoryBroker();
    private final InMemoryBroker euOnly = new InMemoryBroker();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private GeoWsNode node(String region, String id) {
        GeoWsNode.Builder b = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region(region)
                .nodeId(id).port(0).broker(global.connect(id)).residency(RULES).presenceTtl(Duration.ofSeconds(2))
                .drainTimeout(Duration.ofSeconds(3));
        if (region.startsWith("eu-")) {
            b.zoneBroker("eu", euOnly.connect(id));
        }
        GeoWsNode n = b.build().start();
        closeables.add(n);
        return n;
    }

    @Test
    @DisplayName("a client in us-east that joins an EU room ends up in the EU with every message; failing over it stays there")
    void joiningAPinnedRoomMovesTheClientToItsZoneAndNothingIsMissed() throws Exception {
        GeoWsNode us = node("us-east", "us-1");
        Map<String, GeoWsNode> eu = Map.of("eu-west", node("eu-west", "euw-1"), "eu-central", node("eu-central", "euc-1"));
        Recorder carol = new Recorder();
        GeoWsClient client = GeoWsClient.builder().region("us-east", us.uri()).region("eu-west", eu.get("eu-west").uri())
                .region("eu-central", eu.get("eu-central").uri()).preferredRegion("us-east").token("carol")
                .listener(carol).build();
        closeables.add(client);
        client.connect().get(WAIT, TimeUnit.SECONDS);
        assertThat(client.region()).isEqualTo("us-east");
        Recorder lobby = new Recorder();
        client.join("lobby", lobby).get(WAIT, TimeUnit.SECONDS);
        for (int i = 0; i < 5; i++) {
            us.publish("lobby", "lobby-" + i, "\"before\"").get(WAIT, TimeUnit.SECONDS);
        }

        Recorder chat = new Recorder();
        long joinAt = System.nanoTime();
        client.join("eu:chat", chat).get(WAIT, TimeUnit.SECONDS);
        long joinMillis = (System.nanoTime() - joinAt) / 1_000_000;
        String first = client.region();
        assertThat(first).as("the client moved into the zone").isIn("eu-west", "eu-central");
        String other = first.equals("eu-west") ? "eu-central" : "eu-west";
        for (int i = 5; i < 10; i++) {
            us.publish("lobby", "lobby-" + i, "\"after\"").get(WAIT, TimeUnit.SECONDS);
        }

        // The EU room's messages come from the other EU node while the client's node goes away.
        List<String> published = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            if (i == 40) {
                eu.get(first).close(); // goaway: the client may be sent anywhere, us-east included
            }
            eu.get(other).publish("eu:chat", "m" + i, "{\"n\":" + i + "}").get(WAIT, TimeUnit.SECONDS);
            published.add("m" + i);
        }
        io.geows.testkit.Await.until("the EU room's 100 messages", Duration.ofSeconds(WAIT),
                () -> chat.messages().size() >= 100);
        assertThat(chat.messages()).extracting(Message::id).containsExactlyElementsOf(published);
        assertThat(lobby.messages()).extracting(Message::id).containsExactly(
                "lobby-0", "lobby-1", "lobby-2", "lobby-3", "lobby-4", "lobby-5", "lobby-6", "lobby-7", "lobby-8", "lobby-9");
        assertThat(client.region()).isEqualTo(other);
        assertThat(carol.gaps).isEmpty();
        assertThat(chat.gaps).isEmpty();
        log.info("joining the EU room from us-east took {} ms including the move to {}", joinMillis, first);
    }

    @Test
    @DisplayName("a user pinned to the EU zone who prefers us-east is moved into the zone at connect")
    void aPinnedUserIsMovedIntoTheirZone() throws Exception {
        GeoWsNode us = node("us-east", "us-1");
        GeoWsNode euw = node("eu-west", "euw-1");
        GeoWsNode euc = node("eu-central", "euc-1");
        Recorder anna = new Recorder();
        GeoWsClient client = GeoWsClient.builder().region("us-east", us.uri()).region("eu-west", euw.uri())
                .region("eu-central", euc.uri()).preferredRegion("us-east").token("eu.anna").listener(anna).build();
        closeables.add(client);
        client.connect().get(WAIT, TimeUnit.SECONDS);
        io.geows.testkit.Await.until("connected in the EU zone", Duration.ofSeconds(WAIT),
                () -> client.region() != null && client.region().startsWith("eu-"));
        Recorder room = new Recorder();
        client.join("eu:chat", room).get(WAIT, TimeUnit.SECONDS);
        us.sendToUser("carl", "\"probe\"").get(WAIT, TimeUnit.SECONDS); // the US node still works for others
        assertThat(client.region()).isIn("eu-west", "eu-central");
    }
}
