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
    void streamingDecoderOfSignedPayloadsAgreesWithTheTreeDecoder() {
        for (String data : new String[] {"{\"text\":\"hi \\\"there\\\"\"}", "[1,2,{\"a\":[]}]", "\"\\ud800x\"", "42", "-1.5e3",
                "null", "true", "\"caf\u00e9 \ud83d\ude00\"", "{}", "[]"}) {
            data = asAClientFrameWouldCarryIt(data);
            for (Envelope e : new Envelope[] {
                new Envelope(Envelope.Kind.ROOM, "m1", "lobby", null, "alice", "us-east", "us-1", 123L, data),
                new Envelope(Envelope.Kind.DIRECT, "m2", null, "bob", "alice", "us-east", "us-1", 1L, data),
                new Envelope(Envelope.Kind.BROADCAST, "m3", null, null, null, "eu-west", "eu-1", Long.MAX_VALUE, data)}) {
                byte[] wire = BrokerCodec.encode(e);
                assertThat(BrokerCodec.decodeTrusted(wire)).as(data).isEqualTo(new BrokerCodec.Message(e))
                        .isEqualTo(BrokerCodec.decode(wire));
            }
        }
        PresenceMember m = new PresenceMember("bob", "eu-west", "eu-1");
        assertThat(BrokerCodec.decodeTrusted(BrokerCodec.encodePresence("r", "join", m)))
                .isEqualTo(new BrokerCodec.PresenceEvent("r", "join", m));
        for (String bad : new String[] {"", "x", "[]", "{}", "{\"k\":\"room\",\"id\":\"1\"}", "{\"k\":\"nope\"}",
                "{\"k\":\"direct\",\"id\":\"1\",\"from\":\"a\",\"region\":\"r\",\"node\":\"n\",\"ts\":1,\"data\":1}",
                "{\"k\":\"room\",\"id\":\"1\",\"room\":\"r\",\"from\":\"a\",\"region\":\"r\",\"node\":\"n\",\"ts\":1,\"data\":1}x",
                "{\"k\":\"room\",\"id\":\"1\",\"room\":\"r\",\"from\":\"a\",\"region\":\"r\",\"node\":\"n\",\"ts\":\"1\",\"data\":1}",
                "{\"k\":\"room\",\"id\":\"1\",\"room\":\"r\",\"from\":\"a\",\"region\":\"r\",\"node\":\"n\",\"ts\":99999999999999999999,\"data\":1}"}) {
            assertThatThrownBy(() -> BrokerCodec.decodeTrusted(bad.getBytes(java.nio.charset.StandardCharsets.UTF_8))).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** Data as {@link ClientFrameDecoder} hands it over: parsed and written again by Jackson. */
    private static String asAClientFrameWouldCarryIt(String data) {
        try {
            return new String(JSON.writeValueAsBytes(JSON.readTree(data)), java.nio.charset.StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void messageFrameFastPathWritesWhatTheGeneratorWrites() {
        for (String name : new String[] {"lobby", "room with spaces", "caf\u00e9", "quote\"d", "back\\slash", "tab\t", "\ud83d\ude00"}) {
            for (String from : new String[] {"alice", null, name}) {
                Envelope e = new Envelope(Envelope.Kind.ROOM, "id-" + name, name, null, from, "us-east", "us-1", 123L,
                        "{\"text\":\"h\u00e9\"}");
                assertThat(new String(ServerFrames.message(e, 42, "ep-1"), java.nio.charset.StandardCharsets.UTF_8))
                        .as(name).isEqualTo(new String(messageViaGenerator(e, 42, "ep-1"), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
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
            assertThatThrownBy(() -> BrokerCodec.decode(bad.getBytes(java.nio.charset.StandardCharsets.UTF_8))).as(bad).isInstanceOf(IllegalArgumentException.class);
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

    /** The message frame as Jackson's generator writes it: the oracle for the node's hand-written fast path. */
    private static byte[] messageViaGenerator(io.geows.Envelope e, long offset, String epoch) {
        return ServerFrames.frame("message", g -> {
            g.writeStringField("room", e.room());
            g.writeNumberField("offset", offset);
            g.writeStringField("epoch", epoch);
            ServerFrames.identity(g, e);
        });
    }
}
