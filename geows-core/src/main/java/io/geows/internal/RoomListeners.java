package io.geows.internal;

import io.geows.Envelope;
import io.geows.RoomListener;
import io.geows.RoomMessage;
import io.geows.spi.Position;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/** The application's {@link RoomListener}s by room; each gets a room's messages in order, one at a time. */
final class RoomListeners {
    private final Executor hooks;
    private final ConcurrentHashMap<String, List<Entry>> byRoom = new ConcurrentHashMap<>();

    RoomListeners(Executor hooks) {
        this.hooks = hooks;
    }

    /** One registered listener, with its own queue on the hook executor. */
    final class Entry {
        final RoomListener listener;
        final SerialExecutor calls = new SerialExecutor(hooks);
        volatile boolean closed;

        Entry(RoomListener listener) {
            this.listener = listener;
        }
    }

    Entry add(String room, RoomListener listener) {
        Entry e = new Entry(listener);
        byRoom.computeIfAbsent(room, r -> new CopyOnWriteArrayList<>()).add(e);
        return e;
    }

    void remove(String room, Entry e) {
        e.closed = true;
        byRoom.computeIfPresent(room, (r, list) -> {
            list.remove(e);
            return list.isEmpty() ? null : list;
        });
    }

    /** A room message was delivered on this node (once, in the room's order). */
    void delivered(Envelope e, long offset, String epoch) {
        List<Entry> entries = byRoom.get(e.room());
        if (entries == null) {
            return;
        }
        RoomMessage m = new RoomMessage(e, new Position(offset, epoch));
        for (Entry entry : entries) {
            entry.calls.execute(() -> {
                if (!entry.closed) {
                    entry.listener.onMessage(m);
                }
            });
        }
    }
}
