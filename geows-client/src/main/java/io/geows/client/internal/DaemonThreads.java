package io.geows.client.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Names daemon threads, so that a client never keeps a JVM alive and shows up in thread dumps. */
public final class DaemonThreads implements ThreadFactory {
    private final String name;
    private final AtomicInteger count = new AtomicInteger();

    /**
     * A factory for threads named {@code name}, then {@code name-2}, ...
     *
     * @param name the thread name
     */
    public DaemonThreads(String name) {
        this.name = name;
    }

    @Override
    public Thread newThread(Runnable r) {
        int n = count.incrementAndGet();
        Thread t = new Thread(r, n == 1 ? name : name + "-" + n);
        t.setDaemon(true);
        return t;
    }
}
