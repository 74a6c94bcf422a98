package io.geows.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.PresenceMode;
import io.geows.PresencePolicy;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A node that coalesces presence sends diff frames; the client hands them on as one event per member.
 * A node that counts sends counts; the client hands them on as occupancy.
 */
class PresenceDiffIntegrationTests {
    private static final long WAIT = 15;

    @Test
    void aDiffBecomesOneEventPerMember() throws Exception {
        try (GeoWsNode node = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east")
                .host("127.0.0.1").port(0).presence(PresencePolicy.builder().defaultMode(PresenceMode.DIFF).room("stadium", PresenceMode.COUNT).build())
                .drainTimeout(Duration.ZERO).build().start();
             GeoWsClient alice = GeoWsClient.builder().region("us-east", node.uri()).token("alice").build();
             GeoWsClient bob = GeoWsClient.builder().region("us-east", node.uri()).token("bob").build();
             GeoWsClient carol = GeoWsClient.builder().region("us-east", node.uri()).token("carol").build()) {
            Recorder aliceRoom = new Recorder();
            alice.connect().get(WAIT, TimeUnit.SECONDS);
            bob.connect().get(WAIT, TimeUnit.SECONDS);
            carol.connect().get(WAIT, TimeUnit.SECONDS);
            alice.join("lobby", aliceRoom).get(WAIT, TimeUnit.SECONDS);
            RoomHandle bobs = bob.join("lobby", m -> { }).get(WAIT, TimeUnit.SECONDS);
            carol.join("lobby", m -> { }).get(WAIT, TimeUnit.SECONDS);

            PresenceEvent bobJoined = Recorder.next(aliceRoom.presence, e -> e.member().user().equals("bob"));
            assertThat(bobJoined.joined()).isTrue();
            assertThat(bobJoined.room()).isEqualTo("lobby");
            assertThat(bobJoined.member().region()).isEqualTo("us-east");
            assertThat(Recorder.next(aliceRoom.presence, e -> e.member().user().equals("carol")).joined()).isTrue();

            bobs.leave().get(WAIT, TimeUnit.SECONDS);
            PresenceEvent bobLeft = Recorder.next(aliceRoom.presence, e -> e.member().user().equals("bob"));
            assertThat(bobLeft.joined()).isFalse();

            Recorder stadium = new Recorder();
            alice.join("stadium", stadium).get(WAIT, TimeUnit.SECONDS);
            bob.join("stadium", m -> { }).get(WAIT, TimeUnit.SECONDS);
            assertThat(Recorder.next(stadium.occupancy, n -> n == 2)).isEqualTo(2);
            assertThat(stadium.presence).as("a counted room lists no members").isEmpty();
        }
    }
}
