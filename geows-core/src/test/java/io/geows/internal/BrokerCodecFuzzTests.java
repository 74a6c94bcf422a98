package io.geows.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.geows.Envelope;

/**
 * Fuzzes {@link BrokerCodec#decode(byte[])} with arbitrary payloads, as a broker topic could carry
 * them. It may only refuse one with an {@link IllegalArgumentException}; what it accepts must encode
 * back to a payload that decodes to the same value, with a {@code data} text that is valid JSON to
 * embed raw in client frames.
 *
 * <p>In {@code mvn test} this runs on the seed corpus in {@code BrokerCodecFuzzTestsInputs}; the
 * {@code fuzz-broker-codec} execution in this module's pom fuzzes it for {@code maxDuration}.
 */
class BrokerCodecFuzzTests {

    @DictionaryEntries({"\"k\":", "\"room\"", "\"direct\"", "\"broadcast\"", "\"presence\"", "\"join\"", "\"leave\"",
            "\"event\":", "\"user\":", "\"id\":", "\"room\":", "\"to\":", "\"from\":", "\"region\":", "\"node\":",
            "\"ts\":", "\"data\":", "\\ud800", "1e999", "9223372036854775808", "null"})
    @FuzzTest(maxDuration = "5s")
    void decodesOrRefusesWithIllegalArgument(byte[] payload) {
        // the streaming decoder of authenticated payloads refuses with IllegalArgumentException only, too,
        // and agrees with the tree decoder on everything the encoder writes (checked below)
        try {
            BrokerCodec.decodeTrusted(payload);
        } catch (IllegalArgumentException refused) {
            // fine
        }
        BrokerCodec.Decoded decoded;
        try {
            decoded = BrokerCodec.decode(payload);
        } catch (IllegalArgumentException refused) {
            return;
        }
        if (decoded instanceof BrokerCodec.Message m) {
            Envelope e = m.envelope();
            assertThat(ClientFrameDecoder.wellFormed(e.data())).as("data is valid Unicode").isTrue();
            assertThat(BrokerCodec.decode(BrokerCodec.encode(e))).as("re-encoded message").isEqualTo(decoded);
            assertThat(BrokerCodec.decodeTrusted(BrokerCodec.encode(e))).as("re-encoded message, streaming").isEqualTo(decoded);
        } else {
            BrokerCodec.PresenceEvent p = (BrokerCodec.PresenceEvent) decoded;
            assertThat(p.event()).isIn("join", "leave");
            assertThat(BrokerCodec.decode(BrokerCodec.encodePresence(p.room(), p.event(), p.member())))
                    .as("re-encoded presence event").isEqualTo(decoded);
            assertThat(BrokerCodec.decodeTrusted(BrokerCodec.encodePresence(p.room(), p.event(), p.member())))
                    .as("re-encoded presence event, streaming").isEqualTo(decoded);
        }
    }
}
