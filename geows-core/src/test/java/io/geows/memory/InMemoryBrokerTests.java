package io.geows.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.geows.BrokerUnavailableException;
import io.geows.spi.BrokerEvent;
import io.geows.spi.BrokerMessage;
import io.geows.spi.HistorySlice;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InMemoryBrokerTests {

    @Test
    void historyIsBoundedBySizeAndReportsTheGap() throws Exception {
        InMemoryBroker broker = new InMemoryBroker(3, Duration.ofHours(1));
        try (InMemoryConnection c = broker.connect("t")) {
            for (int i = 1; i <= 5; i++) {
                c.history().append("r", "k" + i, "t", new byte[] {(byte) i}).get(5, TimeUnit.SECONDS);
            }
            HistorySlice all = c.history().readAfter("r", 0, 100).get(5, TimeUnit.SECONDS);
            assertThat(all.messages()).extracting(BrokerMessage::offset).containsExactly(3L, 4L, 5L);
            assertThat(all.complete()).as("offsets 1 and 2 were trimmed").isFalse();
            assertThat(c.history().readAfter("r", 2, 100).get(5, TimeUnit.SECONDS).complete()).isTrue();
            assertThat(c.history().readAfter("r", 5, 100).get(5, TimeUnit.SECONDS).messages()).isEmpty();
        }
    }

    @Test
    void lostHistoryStartsANewEpoch() throws Exception {
        InMemoryBroker broker = new InMemoryBroker();
        try (InMemoryConnection c = broker.connect("t")) {
            String before = c.history().append("r", "k", "t", new byte[0]).get(5, TimeUnit.SECONDS).epoch();
            broker.loseHistory();
            var after = c.history().append("r", "k", "t", new byte[0]).get(5, TimeUnit.SECONDS);
            assertThat(after.epoch()).isNotEqualTo(before);
            assertThat(after.offset()).isEqualTo(1);
            assertThat(after.duplicate()).isFalse();
        }
    }

    @Test
    void aCutConnectionFailsFastAndReportsLostThenRestored() throws Exception {
        InMemoryBroker broker = new InMemoryBroker();
        try (InMemoryConnection c = broker.connect("a"); InMemoryConnection other = broker.connect("b")) {
            LinkedBlockingQueue<BrokerEvent> events = new LinkedBlockingQueue<>();
            c.addListener(events::add);
            LinkedBlockingQueue<BrokerMessage> received = new LinkedBlockingQueue<>();
            c.subscribe("t", received::add).get(5, TimeUnit.SECONDS);

            c.cut();
            assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo(BrokerEvent.LOST);
            assertThat(c.isConnected()).isFalse();
            assertThatThrownBy(() -> c.publish("t", new byte[0]).get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(BrokerUnavailableException.class);
            other.publish("t", new byte[] {1}).get(5, TimeUnit.SECONDS); // others go on; c misses it

            c.restore();
            assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo(BrokerEvent.RESTORED);
            other.publish("t", new byte[] {2}).get(5, TimeUnit.SECONDS);
            BrokerMessage m = received.poll(5, TimeUnit.SECONDS);
            assertThat(m).isNotNull();
            assertThat(m.payload()).containsExactly(2);
        }
    }

    @Test
    void subscriptionsLastOnlyWhileOpen() throws Exception {
        InMemoryBroker broker = new InMemoryBroker();
        try (InMemoryConnection c = broker.connect("a")) {
            var sub = c.subscribe("geows.room.x", m -> { }).get(5, TimeUnit.SECONDS);
            assertThat(broker.subscriberCount("geows.room.x")).isEqualTo(1);
            sub.close();
            assertThat(broker.subscriberCount("geows.room.x")).isZero();
        }
    }
}
