package io.geows.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FramesTests {

    @Test
    void helloNamesTheLastPositionOfEveryRoom() {
        Map<String, Frames.Position> resume = new LinkedHashMap<>();
        resume.put("lobby", new Frames.Position(41, "k3x9"));

        JsonNode hello = Frames.parse(Frames.hello("alice", resume, "h1"));

        assertThat(hello.path("type").asText()).isEqualTo("hello");
        assertThat(hello.path("protocol").asInt()).isEqualTo(1);
        assertThat(hello.path("token").asText()).isEqualTo("alice");
        assertThat(hello.path("resume").path("lobby").path("offset").asLong()).isEqualTo(41);
        assertThat(hello.path("resume").path("lobby").path("epoch").asText()).isEqualTo("k3x9");
        assertThat(hello.path("id").asText()).isEqualTo("h1");
        assertThat(Frames.parse(Frames.hello("alice", Map.of(), "h2")).has("resume")).isFalse();
    }

    @Test
    void dataIsAnyJsonValue() {
        assertThat(Frames.data(Map.of("text", "hi")).toString()).isEqualTo("{\"text\":\"hi\"}");
        assertThat(Frames.data("hi").toString()).as("a Java string is a JSON string").isEqualTo("\"hi\"");
        assertThat(Frames.data(null).isNull()).isTrue();
        assertThat(Frames.data(List.of(1, 2)).toString()).isEqualTo("[1,2]");
        assertThat(Frames.dataJson("{\"a\":[true,null]}").toString()).isEqualTo("{\"a\":[true,null]}");
    }

    @Test
    void aMessageFrameBecomesAMessage() {
        JsonNode f = Frames.parse("{\"type\":\"message\",\"room\":\"lobby\",\"offset\":42,\"epoch\":\"k3x9\",\"id\":\"b-17\","
                + "\"from\":\"bob\",\"region\":\"eu-west\",\"node\":\"eu-1\",\"ts\":1764291600123,\"data\":{\"text\":\"hi\"}}");

        Message m = Frames.message(f, "lobby");

        assertThat(m.room()).isEqualTo("lobby");
        assertThat(m.offset()).isEqualTo(42);
        assertThat(m.epoch()).isEqualTo("k3x9");
        assertThat(m.from()).isEqualTo("bob");
        assertThat(m.region()).isEqualTo("eu-west");
        assertThat(m.timestamp()).isEqualTo(1764291600123L);
        assertThat(m.dataJson()).isEqualTo("{\"text\":\"hi\"}");
        assertThat(m.data(Text.class)).isEqualTo(new Text("hi"));
        assertThat(m.data(Map.class).get("text")).isEqualTo("hi");
    }

    @Test
    void framesThatAreNotObjectsAreNotFrames() {
        assertThat(Frames.parse("[1]")).isNull();
        assertThat(Frames.parse("{oops")).isNull();
    }

    record Text(String text) {
    }
}
