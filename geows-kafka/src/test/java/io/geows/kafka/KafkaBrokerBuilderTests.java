package io.geows.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KafkaBrokerBuilderTests {
    @Test
    void aPlainUriNamesTheServers() {
        KafkaBroker.Builder b = KafkaBroker.builder().uri("kafka://k1:9092,k2:9092");
        assertThat(b.bootstrapServersSet()).isEqualTo("k1:9092,k2:9092");
        assertThat(b.clientProperties()).isEmpty();
    }

    @Test
    void credentialsLogInWithScramAndTlsIsSaslSsl() {
        KafkaBroker.Builder b = KafkaBroker.builder().uri("kafkas://geo%40ws:p%22ss@k1:9093");
        assertThat(b.bootstrapServersSet()).isEqualTo("k1:9093");
        assertThat(b.clientProperties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"geo@ws\" password=\"p\\\"ss\";");
    }

    @Test
    void theMechanismCanBePlain() {
        KafkaBroker.Builder b = KafkaBroker.builder().uri("kafka://u:p@k1:9092?sasl=PLAIN");
        assertThat(b.clientProperties()).containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "PLAIN");
        assertThat((String) b.clientProperties().get("sasl.jaas.config")).startsWith("org.apache.kafka.common.security.plain");
    }

    @Test
    void tlsWithoutCredentialsIsSsl() {
        assertThat(KafkaBroker.builder().uri("kafkas://k1:9093").clientProperties()).containsEntry("security.protocol", "SSL");
    }

    @Test
    void badUrisAreRefusedWithoutThePassword() {
        assertThatThrownBy(() -> KafkaBroker.builder().uri("redis://u:secret@h:1")).hasMessageContaining("kafka://")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> KafkaBroker.builder().uri("kafka://u:secret@")).hasMessageContaining("host:port")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> KafkaBroker.builder().uri("kafka://h:1?sasl=GSSAPI")).hasMessageContaining("SCRAM");
        assertThatThrownBy(() -> KafkaBroker.builder().uri("kafka://h:1?acks=0")).hasMessageContaining("unknown");
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> KafkaBroker.builder().partitions(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KafkaBroker.builder().requestTimeout(java.time.Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KafkaBroker.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("bootstrapServers");
    }
}
