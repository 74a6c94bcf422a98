package io.geows.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.geows.spi.BrokerMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecentMessagesTests {
    private static byte[] frame(long offset) {
        return ("m" + offset).getBytes(StandardCharsets.UTF_8);
    }

    private static List<Long> offsets(List<RoomCursor.Pending> frames) {
        return frames == null ? null : frames.stream().map(RoomCursor.Pending::offset).toList();
    }

    private static RecentMessages seeded(int max, long seed) {
        RecentMessages r = new RecentMessages(max, 1 << 20);
        r.reset(seed, "e1");
        return r;
    }

    @Test
    void answersEveryPositionFromItsFloorToItsNewest() {
        RecentMessages r = seeded(64, 10);
        for (long o = 11; o <= 15; o++) {
            r.append(o, "e1", o - 1, frame(o));
        }
        assertThat(offsets(r.after(10, "e1"))).containsExactly(11L, 12L, 13L, 14L, 15L);
        assertThat(offsets(r.after(13, "e1"))).containsExactly(14L, 15L);
        assertThat(offsets(r.after(15, "e1"))).isEmpty();
        assertThat(r.after(9, "e1")).as("before the floor: not known to be complete").isNull();
        assertThat(r.after(16, "e1")).as("beyond the newest").isNull();
        assertThat(r.after(12, "e2")).as("another epoch").isNull();
    }

    @Test
    void aGapStartsOverFromTheMessageBeforeTheNewOne() {
        RecentMessages r = seeded(64, 10);
        r.append(11, "e1", 10, frame(11));
        r.append(14, "e1", 13, frame(14)); // 12 and 13 never came
        assertThat(r.after(11, "e1")).isNull();
        assertThat(offsets(r.after(13, "e1"))).containsExactly(14L);
        r.append(20, "e1", BrokerMessage.UNKNOWN, frame(20));
        assertThat(r.after(14, "e1")).as("an unknown predecessor").isNull();
        assertThat(offsets(r.after(20, "e1"))).isEmpty();
        r.append(3, "e2", 2, frame(3));
        assertThat(r.after(20, "e1")).isNull();
        assertThat(offsets(r.after(2, "e2"))).containsExactly(3L);
    }

    @Test
    void sequenceNumbersNeedNotBeConsecutive() {
        RecentMessages r = seeded(64, 100); // NATS: a room's offsets are stream sequences
        r.append(140, "e1", 100, frame(140));
        r.append(171, "e1", 140, frame(171));
        assertThat(offsets(r.after(100, "e1"))).containsExactly(140L, 171L);
        assertThat(offsets(r.after(120, "e1"))).containsExactly(140L, 171L);
    }

    @Test
    void theOldestGoByCountAndBytes() {
        RecentMessages r = seeded(3, 0);
        for (long o = 1; o <= 5; o++) {
            r.append(o, "e1", o - 1, frame(o));
        }
        assertThat(r.after(1, "e1")).isNull();
        assertThat(offsets(r.after(2, "e1"))).containsExactly(3L, 4L, 5L);

        RecentMessages small = new RecentMessages(64, 5); // each frame is 2 bytes
        small.reset(0, "e1");
        for (long o = 1; o <= 5; o++) {
            small.append(o, "e1", o - 1, frame(o));
        }
        assertThat(offsets(small.after(3, "e1"))).containsExactly(4L, 5L);
        assertThat(small.after(2, "e1")).isNull();

        RecentMessages off = new RecentMessages(0, 1 << 20);
        off.reset(0, "e1");
        off.append(1, "e1", 0, frame(1));
        assertThat(offsets(off.after(0, "e1"))).as("kept nothing, so only 'nothing after the newest'").isEmpty();
        assertThat(off.after(-1, "e1")).isNull();
    }

    @Test
    void aCompleteReadReachingTheFloorExtendsItBackwards() {
        RecentMessages r = seeded(64, 10);
        r.append(11, "e1", 10, frame(11));
        List<RoomCursor.Pending> read = List.of(new RoomCursor.Pending(8, "e1", frame(8)),
                new RoomCursor.Pending(9, "e1", frame(9)), new RoomCursor.Pending(10, "e1", frame(10)),
                new RoomCursor.Pending(11, "e1", frame(11)));
        r.prepend("e1", 7, 11, read);
        assertThat(offsets(r.after(7, "e1"))).containsExactly(8L, 9L, 10L, 11L);

        RecentMessages apart = seeded(64, 10);
        apart.prepend("e1", 3, 6, List.of(new RoomCursor.Pending(5, "e1", frame(5))));
        assertThat(apart.after(3, "e1")).as("a read that stops short of the floor leaves a hole").isNull();
        apart.prepend("e2", 3, 12, List.of());
        assertThat(apart.after(3, "e1")).isNull();
        apart.prepend("e1", 4, 10, List.of(new RoomCursor.Pending(7, "e1", frame(7))));
        assertThat(offsets(apart.after(4, "e1"))).containsExactly(7L);
    }
}
