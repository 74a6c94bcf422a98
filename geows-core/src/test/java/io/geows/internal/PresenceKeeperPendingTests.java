package io.geows.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.geows.spi.PresenceMember;
import org.junit.jupiter.api.Test;

class PresenceKeeperPendingTests {
    private static final PresenceMember ALICE = new PresenceMember("alice", "us-east", "us-1");
    private static final PresenceMember BOB = new PresenceMember("bob", "us-east", "us-1");

    @Test
    void aJoinAndALeaveOfTheSameMemberCancelOutEitherWay() {
        PresenceKeeper.Pending p = new PresenceKeeper.Pending();
        p.add("join", ALICE);
        p.add("leave", ALICE); // came and went within the window: nobody needs to hear of it
        p.add("leave", BOB);
        p.add("join", BOB); // was there, left and came back: no change
        assertThat(p.joined).isEmpty();
        assertThat(p.left).isEmpty();
    }

    @Test
    void changesAreKeptInOrderPerList() {
        PresenceKeeper.Pending p = new PresenceKeeper.Pending();
        p.add("join", BOB);
        p.add("join", ALICE);
        p.add("leave", new PresenceMember("carol", "us-east", "us-1"));
        assertThat(p.joined.values()).containsExactly(BOB, ALICE);
        assertThat(p.left.values()).extracting(PresenceMember::user).containsExactly("carol");
    }

    @Test
    void theSameUserOnAnotherNodeIsAnotherMember() {
        PresenceKeeper.Pending p = new PresenceKeeper.Pending();
        p.add("join", ALICE);
        p.add("leave", new PresenceMember("alice", "eu-west", "eu-1"));
        assertThat(p.joined.values()).containsExactly(ALICE);
        assertThat(p.left.values()).extracting(PresenceMember::nodeId).containsExactly("eu-1");
    }
}
