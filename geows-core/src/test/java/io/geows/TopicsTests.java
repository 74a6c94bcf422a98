package io.geows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TopicsTests {

    @Test
    void plainNamesStayReadable() {
        Topics t = Topics.defaults();
        assertThat(t.room("lobby-1_a")).isEqualTo("geows.room.lobby-1_a");
        assertThat(t.node("us-1")).isEqualTo("geows.node.us-1");
        assertThat(t.all()).isEqualTo("geows.all");
    }

    @Test
    void natsTokenCharactersAreEscaped() {
        String topic = Topics.withPrefix("acme.chat").room("a.b *>c d~é");
        assertThat(topic).startsWith("acme.chat.room.");
        String token = topic.substring("acme.chat.room.".length());
        assertThat(token).doesNotContain(".", "*", ">", " ").matches("[A-Za-z0-9_~-]+");
        assertThat(token).isEqualTo("a~2Eb~20~2A~3Ec~20d~7E~C3~A9");
    }

    @Test
    void escapingIsInjective() {
        List<String> names = List.of("a.b", "a~2Eb", "a b", "a_b", "a-b", "ab", "a~b", "a~7Eb");
        Set<String> escaped = new HashSet<>();
        names.forEach(n -> escaped.add(Topics.escape(n)));
        assertThat(escaped).hasSameSizeAs(names);
    }

    @Test
    void badPrefixIsRefusedWithTheWayOut() {
        assertThatThrownBy(() -> Topics.withPrefix("bad prefix"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'bad prefix'").hasMessageContaining("e.g.");
    }
}
