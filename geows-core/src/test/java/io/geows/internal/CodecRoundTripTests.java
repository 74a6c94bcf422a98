package io.geows.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.geows.Envelope;
import io.geows.spi.PresenceMember;
import org.junit.jupiter.api.Test;

class CodecRoundTripTests {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void brokerEnvelopeRoundTrips() {
        Envelope e = new Envelope(Envelope.Kind.ROOM, "m1", "lobby", null, "alice", "us-east", "us-1", 123L,
                "{\"text\":\"hi \\\"there\\\"\"}");
        BrokerCodec.Decoded d = BrokerCodec.decode(BrokerCodec.encode(e));
        assertThat(d).isEqualTo(new BrokerCodec.Message(e));
    }

    @Test
    void presenceEventRoundTrips() {
        PresenceMember m = new PresenceMember("bob", "eu-west", "eu-1");
        assertThat(BrokerCodec.decode(BrokerCodec.encodePresence("r", "leave", m)))
                .isEqualTo(new BrokerCodec.PresenceEvent("r", "leave", m));
    }

    @Test
    void malformedBrokerPayloadsAreRefused() {
        for (String bad : new String[] {"", "x", "[]", "{}", "{\"k\":\"room\",\"id\":\"1\"}", "{\"k\":\"nope\"}",
                "{\"k\":\"direct\",\"id\":\"1\",\"from\":\"a\",\"region\":\"r\",\"node\":\"n\",\"ts\":1,\"data\":1}"}) {
            assertThatThrownBy(() -> BrokerCodec.decode(bad.getBytes())).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void messageFrameCarriesEveryField() throws Exception {
        Envelope e = new Envelope(Envelope.Kind.ROOM, "m1", "lobby", null, "alice", "us-east", "us-1", 123L, "[1,2]");
        JsonNode f = JSON.readTree(ServerFrames.message(e, 42, "ep"));
        assertThat(f.path("type").asText()).isEqualTo("message");
        assertThat(f.path("room").asText()).isEqualTo("lobby");
        assertThat(f.path("offset").asLong()).isEqualTo(42);
        assertThat(f.path("epoch").asText()).isEqualTo("ep");
        assertThat(f.path("from").asText()).isEqualTo("alice");
        assertThat(f.path("region").asText()).isEqualTo("us-east");
        assertThat(f.path("node").asText()).isEqualTo("us-1");
        assertThat(f.path("ts").asLong()).isEqualTo(123);
        assertThat(f.path("data").toString()).isEqualTo("[1,2]");
    }
}
