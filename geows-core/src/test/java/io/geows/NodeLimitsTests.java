package io.geows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.geows.Authenticator;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NodeLimitsTests {

    @Test
    void defaultsAreTheDocumentedConstants() {
        NodeLimits l = NodeLimits.defaults();
        assertThat(l.maxFrameBytes()).isEqualTo(NodeLimits.DEFAULT_MAX_FRAME_BYTES);
        assertThat(l.maxQueuedFrames()).isEqualTo(NodeLimits.DEFAULT_MAX_QUEUED_FRAMES);
        assertThat(l.helloTimeout()).isEqualTo(NodeLimits.DEFAULT_HELLO_TIMEOUT);
    }

    @Test
    void conflictingSettingsNameBoth() {
        assertThatThrownBy(() -> NodeLimits.builder().maxFrameBytes(1 << 20).maxQueuedBytes(4096).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxQueuedBytes").hasMessageContaining("maxFrameBytes");
    }

    @Test
    void outOfRangeValuesAreRefused() {
        assertThatThrownBy(() -> NodeLimits.builder().maxRoomsPerSession(0)).hasMessageContaining("maxRoomsPerSession");
        assertThatThrownBy(() -> NodeLimits.builder().helloTimeout(Duration.ZERO)).hasMessageContaining("helloTimeout");
        assertThatThrownBy(() -> NodeLimits.builder().pingInterval(Duration.ofMillis(10))).hasMessageContaining("pingInterval");
    }

    @Test
    void toBuilderKeepsValues() {
        NodeLimits l = NodeLimits.builder().maxJsonDepth(7).maxReplay(3).build();
        NodeLimits copy = l.toBuilder().build();
        assertThat(copy.maxJsonDepth()).isEqualTo(7);
        assertThat(copy.maxReplay()).isEqualTo(3);
    }

    @Test
    void builderRequiresRegion() {
        assertThatThrownBy(() -> GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).build()).hasMessageContaining("region");
        assertThatThrownBy(() -> GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("eu west")).hasMessageContaining("'eu west'");
    }
}
