package io.geows.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GeoWsClientBuilderTests {
    private static final URI US = URI.create("ws://127.0.0.1:1/");

    @Test
    void defaultsAreTheDocumentedConstants() {
        try (GeoWsClient client = GeoWsClient.builder().region("us-east", US).token("alice").build()) {
            ClientOptions o = client.options();

            assertThat(o.heartbeatInterval()).isEqualTo(ClientOptions.DEFAULT_HEARTBEAT_INTERVAL);
            assertThat(o.heartbeatTimeout()).isEqualTo(ClientOptions.DEFAULT_HEARTBEAT_TIMEOUT);
            assertThat(o.reconnectBackoff()).isSameAs(ClientOptions.DEFAULT_RECONNECT_BACKOFF);
            assertThat(o.maxPending()).isEqualTo(ClientOptions.DEFAULT_MAX_PENDING);
            assertThat(o.tokenSupplier().get()).isEqualTo("alice");
            assertThat(o.regions()).containsExactly(new Region("us-east", US));
            assertThat(client.state()).as("before connect()").isNull();
        }
    }

    @Test
    void aClientNeedsARegionAndAToken() {
        assertThatThrownBy(() -> GeoWsClient.builder().token("a").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("region(name, uri)");
        assertThatThrownBy(() -> GeoWsClient.builder().region("us-east", US).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("token(...)");
    }

    @Test
    void conflictingSettingsAreRejectedNamingBoth() {
        assertThatThrownBy(() -> GeoWsClient.builder().region("us-east", US).token("a").tokenSupplier(() -> "b").build())
                .hasMessageContaining("token(...)").hasMessageContaining("tokenSupplier(...)");
        assertThatThrownBy(() -> GeoWsClient.builder().region("us-east", US).token("a")
                .heartbeatInterval(Duration.ofSeconds(10)).heartbeatTimeout(Duration.ofSeconds(10)).build())
                .hasMessageContaining("heartbeatTimeout").hasMessageContaining("heartbeatInterval");
        assertThatThrownBy(() -> GeoWsClient.builder().region("us-east", US).token("a")
                .handshakeTimeout(Duration.ofSeconds(20)).connectTimeout(Duration.ofSeconds(10)).build())
                .hasMessageContaining("handshakeTimeout").hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> GeoWsClient.builder().region("us-east", US).token("a").preferredRegion("eu-west").build())
                .hasMessageContaining("preferredRegion 'eu-west'").hasMessageContaining("[us-east]");
    }

    @Test
    void aPreferredRegionMayBeLearnedLater() {
        try (GeoWsClient client = GeoWsClient.builder().regionsFrom(URI.create("http://127.0.0.1:1/regions"))
                .preferredRegion("eu-west").token("a").build()) {
            assertThat(client.options().preferredRegion()).isEqualTo("eu-west");
        }
    }

    @Test
    void badValuesAreRejectedWithTheValue() {
        GeoWsClient.Builder b = GeoWsClient.builder();
        assertThatThrownBy(() -> b.region("us-east", URI.create("http://x:1/"))).hasMessageContaining("http://x:1/");
        assertThatThrownBy(() -> b.region(" ", US)).isInstanceOf(IllegalArgumentException.class);
        b.region("us-east", US);
        assertThatThrownBy(() -> b.region("us-east", US)).hasMessageContaining("already added");
        assertThatThrownBy(() -> b.regionsFrom(URI.create("ws://x/regions"))).hasMessageContaining("http(s)");
        assertThatThrownBy(() -> b.maxPending(0)).hasMessageContaining("was 0");
        assertThatThrownBy(() -> b.requestTimeout(Duration.ZERO)).hasMessageContaining("requestTimeout");
        assertThatThrownBy(() -> b.token(null)).isInstanceOf(NullPointerException.class);
    }
}
