package io.geows.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.geows.client.RoomState.Verdict;
import org.junit.jupiter.api.Test;

class RoomStateTests {
    private final RoomState room = new RoomState("lobby", m -> { }, null);

    @Test
    void messagesAfterTheJoinPositionAreDeliveredOnceInOrder() {
        room.joined(new Frames.Position(10, "e1"));

        assertThat(room.accept(11, "e1")).isEqualTo(Verdict.DELIVER);
        assertThat(room.accept(11, "e1")).isEqualTo(Verdict.DUPLICATE);
        assertThat(room.accept(9, "e1")).isEqualTo(Verdict.DUPLICATE);
        assertThat(room.accept(14, "e1")).as("offsets may skip numbers (NATS)").isEqualTo(Verdict.DELIVER);
        assertThat(room.accept(12, "e1")).as("older than the cursor").isEqualTo(Verdict.DUPLICATE);
        assertThat(room.cursor()).isEqualTo(new Frames.Position(14, "e1"));
    }

    @Test
    void aLaterJoinedDoesNotMoveTheCursorBack() {
        room.joined(new Frames.Position(10, "e1"));
        room.accept(15, "e1");

        room.joined(new Frames.Position(12, "e1"));

        assertThat(room.cursor()).isEqualTo(new Frames.Position(15, "e1"));
    }

    @Test
    void aNewEpochIsDeliveredAndFlagged() {
        room.joined(new Frames.Position(10, "e1"));

        assertThat(room.accept(1, "e2")).isEqualTo(Verdict.NEW_EPOCH);
        assertThat(room.accept(2, "e2")).isEqualTo(Verdict.DELIVER);
    }

    @Test
    void anUnrecoveredResumeInANewEpochRestartsTheCursorThere() {
        room.joined(new Frames.Position(40, "old"));

        room.unrecovered(new Frames.Position(3, "new"));

        assertThat(room.cursor()).isEqualTo(new Frames.Position(0, "new"));
        assertThat(room.accept(1, "new")).as("the replay of the new epoch is not flagged again").isEqualTo(Verdict.DELIVER);
    }

    @Test
    void anUnrecoveredResumeInTheSameEpochKeepsTheCursor() {
        room.joined(new Frames.Position(40, "e1"));

        room.unrecovered(new Frames.Position(3000, "e1"));

        assertThat(room.cursor()).isEqualTo(new Frames.Position(40, "e1"));
    }
}
