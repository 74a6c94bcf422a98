package io.geows.nats.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.geows.BrokerUnavailableException;
import io.geows.spi.BrokerMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class LiveRoomTests {
    private final List<Long> delivered = new ArrayList<>();
    private final List<long[]> reads = new ArrayList<>();
    private final List<CompletableFuture<List<BrokerMessage>>> pendingReads = new ArrayList<>();
    private final LiveRoom room = new LiveRoom("geows.room.r", (epoch, after, before) -> {
        reads.add(new long[] {after, before});
        CompletableFuture<List<BrokerMessage>> f = new CompletableFuture<>();
        pendingReads.add(f);
        return f;
    }, m -> delivered.add(m.offset()));

    private static BrokerMessage m(long offset) {
        return m(offset, "e1");
    }

    private static BrokerMessage m(long offset, String epoch) {
        return new BrokerMessage("geows.room.r", new byte[0], offset, epoch);
    }

    @Test
    void messagesFollowingTheirPredecessorGoStraightThrough() {
        room.start(4, "e1");
        room.offer(m(7), 4);
        room.offer(m(9), 7);
        assertThat(delivered).containsExactly(7L, 9L);
        assertThat(reads).isEmpty();
    }

    @Test
    void messagesWaitUntilTheStartIsKnownAndOldOnesAreSkipped() {
        room.offer(m(3), 1);
        room.offer(m(5), 3);
        assertThat(delivered).isEmpty();
        room.start(3, "e1");
        assertThat(delivered).containsExactly(5L);
    }

    @Test
    void aGapIsReadFromHistoryWhileLaterMessagesWait() {
        room.start(2, "e1");
        room.offer(m(8), 6); // 6 (and maybe more) went missing
        room.offer(m(9), 8);
        assertThat(delivered).isEmpty();
        assertThat(reads).hasSize(1);
        assertThat(reads.get(0)).containsExactly(2, 8);
        pendingReads.get(0).complete(List.of(m(4), m(6)));
        assertThat(delivered).containsExactly(4L, 6L, 8L, 9L);
    }

    @Test
    void aTrimmedPredecessorDoesNotBlockDelivery() {
        room.start(2, "e1");
        room.offer(m(8), 6);
        pendingReads.get(0).complete(List.of()); // 6 is gone from history
        room.offer(m(9), 8);
        assertThat(delivered).containsExactly(8L, 9L);
    }

    @Test
    void aFailedReadKeepsThePositionAndTheNextMessageReadsAgain() {
        room.start(2, "e1");
        room.offer(m(8), 6);
        pendingReads.get(0).completeExceptionally(new BrokerUnavailableException("down"));
        assertThat(delivered).isEmpty();
        room.offer(m(10), 8);
        assertThat(reads.get(1)).containsExactly(2, 10);
        pendingReads.get(1).complete(List.of(m(6), m(8)));
        assertThat(delivered).containsExactly(6L, 8L, 10L);
    }

    @Test
    void aNewEpochStartsOverAndReadsWhatItMissedFromItsBeginning() {
        room.start(40, "e1");
        room.offer(m(1, "e2"), 0);
        assertThat(delivered).containsExactly(1L);
        room.offer(m(3, "e2"), 2);
        assertThat(reads.get(0)).containsExactly(1, 3);
        pendingReads.get(0).complete(List.of(m(2, "e2")));
        assertThat(delivered).containsExactly(1L, 2L, 3L);

        room.offer(m(9, "e3"), 5);
        assertThat(reads.get(1)).containsExactly(0, 9);
    }

    @Test
    void anUnknownStartTakesTheFirstMessageAsItComes() {
        room.start(-1, null);
        room.offer(m(12), 11);
        assertThat(delivered).containsExactly(12L);
    }

    @Test
    void nothingIsDeliveredAfterClose() {
        room.start(2, "e1");
        room.offer(m(8), 6);
        room.close();
        pendingReads.get(0).complete(List.of(m(6)));
        room.offer(m(9), 8);
        assertThat(delivered).isEmpty();
    }
}
