package io.geows.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Records what a client and its rooms are told, in queues a test can wait on. */
final class Recorder extends ClientListenerAdapter implements RoomListener {
    static final Duration WAIT = Duration.ofSeconds(15);

    private final List<Message> messages = new ArrayList<>();
    final BlockingQueue<Message> received = new LinkedBlockingQueue<>();
    final BlockingQueue<Message> directs = new LinkedBlockingQueue<>();
    final BlockingQueue<ConnectionEvent> events = new LinkedBlockingQueue<>();
    final BlockingQueue<PresenceEvent> presence = new LinkedBlockingQueue<>();
    final BlockingQueue<String> gaps = new LinkedBlockingQueue<>();
    final BlockingQueue<Integer> occupancy = new LinkedBlockingQueue<>();
    private final List<ConnectionEvent> allEvents = new ArrayList<>();

    @Override
    public void onMessage(Message message) {
        synchronized (messages) {
            messages.add(message);
        }
        received.add(message);
    }

    @Override
    public void onPresence(PresenceEvent event) {
        presence.add(event);
    }

    @Override
    public void onOccupancy(String room, int members) {
        occupancy.add(members);
    }

    @Override
    public void onGap(String room) {
        gaps.add(room);
    }

    @Override
    public void onConnectionEvent(ConnectionEvent event) {
        synchronized (allEvents) {
            allEvents.add(event);
        }
        events.add(event);
    }

    @Override
    public void onDirect(Message message) {
        directs.add(message);
    }

    /** Every room message so far, in delivery order. */
    List<Message> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    int count() {
        synchronized (messages) {
            return messages.size();
        }
    }

    List<ConnectionEvent> allEvents() {
        synchronized (allEvents) {
            return List.copyOf(allEvents);
        }
    }

    static <T> T next(BlockingQueue<T> queue, Predicate<T> match) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            T t = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (t == null) {
                throw new AssertionError("nothing matching arrived within " + WAIT);
            }
            if (match.test(t)) {
                return t;
            }
        }
    }

    ConnectionEvent awaitState(ConnectionState state) throws InterruptedException {
        return next(events, e -> e.state() == state);
    }
}
