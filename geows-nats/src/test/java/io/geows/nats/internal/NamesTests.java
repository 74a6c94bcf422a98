package io.geows.nats.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.geows.Topics;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NamesTests {
    private final Names names = new Names("geows");

    @Test
    void roomTopicsMapToLiveAndHistorySubjectsOfTheSameToken() {
        String topic = Topics.defaults().room("lobby.eu *>");
        String token = names.roomToken(topic);
        assertThat(token).isEqualTo(Topics.escape("lobby.eu *>")).doesNotContain(".", "*", ">", " ");
        assertThat(names.liveSubject(token)).isEqualTo("geows.live." + token);
        assertThat(names.historySubject("e1", token)).isEqualTo("geows.history.e1." + token);
        assertThat(names.roomTopic("lobby.eu *>")).isEqualTo(topic);
    }

    @Test
    void onlyRoomTopicsHaveARoomToken() {
        assertThat(names.roomToken("geows.node.n1")).isNull();
        assertThat(names.roomToken("geows.all")).isNull();
        assertThat(names.roomToken("geows.room.")).isNull();
        assertThat(names.roomToken("other.room.x")).isNull();
        assertThat(names.roomToken("geows.room.a.b")).as("not one token").isNull();
    }

    @Test
    void epochIsReadFromHistorySubjectsAndFilters() {
        assertThat(names.epochOf("geows.history.k3x9.lobby")).isEqualTo("k3x9");
        assertThat(names.epochOf("geows.live.lobby")).isNull();
        assertThat(names.epochOf("geows.history.")).isNull();
        assertThat(names.epochOf(null)).isNull();
        assertThat(names.epochOfFilter("geows.history.k3x9.>")).isEqualTo("k3x9");
        assertThat(names.epochOfFilter("geows.history.k3x9.*")).isNull();
        assertThat(names.epochOfFilter("orders.>")).isNull();
    }

    @Test
    void aCustomPrefixIsUsedEverywhere() {
        Names acme = new Names("acme.chat");
        assertThat(acme.roomToken("acme.chat.room.x")).isEqualTo("x");
        assertThat(acme.historyFilter("e")).isEqualTo("acme.chat.history.e.>");
        assertThat(acme.liveFilter()).isEqualTo("acme.chat.live.>");
        assertThatThrownBy(() -> new Names("bad prefix")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keyTokensHoldOnlyKeyCharactersAndRoundTrip() {
        for (String name : List.of("alice", "a.b", "x y", "caf\u00e9", "=", "", "a=41", "~7E", "\u6771\u4eac", "-_")) {
            String token = Names.keyToken(name);
            assertThat(token).as(name).matches("[-_=A-Za-z0-9]+");
            assertThat(Names.unescapeKeyToken(token)).as(name).isEqualTo(name);
        }
    }

    @Test
    void keyTokensAreInjective() {
        List<String> names = List.of("a.b", "a=2Eb", "a_b", "a b", "", "=", "==", "A", "a");
        Set<String> tokens = new HashSet<>();
        names.forEach(n -> tokens.add(Names.keyToken(n)));
        assertThat(tokens).hasSize(names.size());
    }

    @Test
    void presenceKeysAndFiltersAgree() {
        assertThat(Names.userKey("al ice", "n.1")).isEqualTo("u.al=20ice.n=2E1");
        assertThat(Names.userFilter("al ice")).isEqualTo("u.al=20ice.*");
        assertThat(Names.roomKey("lobby", "n1", "bob")).isEqualTo("r.lobby.n1.bob");
        assertThat(Names.roomFilter("lobby")).isEqualTo("r.lobby.*.*");
        assertThat(Names.nodeKey("us-1")).isEqualTo("n.us-1");
    }

    @Test
    void messageIdsSeparateRoomsAndKeys() {
        assertThat(Names.messageId("a", "b.c")).isNotEqualTo(Names.messageId("a.b", "c"));
        assertThat(Names.messageId("lobby", "alice\nm1")).doesNotContain("\n", "\r");
    }

    @Test
    void theKeyOfAMessageIdIsReadBackOnlyForItsOwnRoom() {
        String room = "lobby.été";
        String token = io.geows.Topics.escape(room);
        for (String key : java.util.List.of("alice\nm1", "bob\n🙂 id", "x")) {
            assertThat(Names.keyOf(token, Names.messageId(room, key))).isEqualTo(key);
        }
        assertThat(Names.keyOf(io.geows.Topics.escape("other"), Names.messageId(room, "alice\nm1"))).isNull();
        assertThat(Names.keyOf(token, null)).isNull();
        assertThat(Names.keyOf(token, token + ".~0")).isNull();      // cut short
        assertThat(Names.keyOf(token, token + ".a~61")).isNull();    // escapes what needs none
        assertThat(Names.keyOf(token, token + ".a b")).isNull();     // not something messageId writes
        assertThat(Names.keyOf(token, token)).isNull();
    }
}
