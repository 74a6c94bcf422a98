package io.geows.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.GeoWsNode;
import io.geows.InterRegionKeys;
import io.geows.Residency;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The chat a residency test watches the brokers during: in a room pinned to the EU zone, two EU
 * members exchange ten messages, ask who is there, read history, and the application publishes a
 * message carrying {@code secret}; a US member uses a US-pinned room ({@code us-desk}, the US
 * broker's positive control) and the global {@code lobby} with an EU member; its publish to the EU
 * room is refused with {@code wrong_region}. Nodes are made with {@code publicUrl("ws://127.0.0.1:1/<id>")}.
 */
public final class ResidencyChat {
    /** The room pinned to the EU zone. */
    public static final String EU_ROOM = "eu-patients";
    /** What only its messages carry. */
    public static final String SECRET = "blood-type-AB-negative";
    /** Regions eu-west and us-east, each its own zone; {@code eu-*} and {@code us-*} rooms pinned to them. */
    public static final Residency RULES = Residency.builder().regions("eu-west", "us-east")
            .zone("eu", "eu-west").zone("us", "us-east").pin("eu-*", "eu").pin("us-*", "us").build();
    /** The inter-region key the nodes sign with. */
    public static final InterRegionKeys KEYS = InterRegionKeys.signingWith("k1",
            "a-shared-secret-of-32-bytes-min!".getBytes(StandardCharsets.UTF_8));

    private ResidencyChat() {
    }

    /**
     * Runs the chat on the two nodes.
     *
     * @param eu     a node of the EU zone
     * @param us     a node outside it
     * @param euRoom a room pinned to the EU zone
     * @param secret a string only the EU room's messages carry
     */
    public static void run(GeoWsNode eu, GeoWsNode us, String euRoom, String secret, Duration wait) throws Exception {
        try (TestClient anna = TestClient.connectAs(eu.uri(), "anna");
             TestClient ben = TestClient.connectAs(eu.uri(), "ben");
             TestClient carl = TestClient.connectAs(us.uri(), "carl")) {
            anna.join(euRoom);
            ben.join(euRoom);
            for (int i = 0; i < 10; i++) {
                (i % 2 == 0 ? anna : ben).publishAndAwait(euRoom, "eu-" + i, wait, i % 2 == 0 ? ben : anna);
            }
            anna.send(Map.of("type", "presence", "room", euRoom, "id", "who"));
            assertThat(anna.awaitRef("who").path("members")).hasSize(2);
            assertThat(eu.history(euRoom, null, 100).get(10, TimeUnit.SECONDS).messages()).hasSize(10);
            // The application publishes into the EU room too.
            eu.publish(euRoom, "{\"note\":\"" + secret + "\"}").get(10, TimeUnit.SECONDS);
            ben.awaitFrame(f -> "message".equals(TestClient.type(f)) && f.path("data").toString().contains(secret), wait);

            carl.join("us-desk");
            carl.publish("us-desk", "us-1", "hello from the desk");
            anna.join("lobby");
            carl.join("lobby");
            anna.publishAndAwait("lobby", "global-1", wait, carl);
            JsonNode refused = carl.publish(euRoom, "sneak", secret);
            assertThat(refused.path("code").asText()).isEqualTo("wrong_region");
            assertThat(refused.path("url").asText()).isEqualTo("ws://127.0.0.1:1/" + eu.nodeId());
        }
    }
}
