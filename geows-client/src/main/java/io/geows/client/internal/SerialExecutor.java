package io.geows.client.internal;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on another executor (which may have many threads):
 * what keeps a client's callbacks ordered whatever executor the application gives it. A task that
 * throws is logged; the next one still runs.
 */
public final class SerialExecutor implements Executor {
    private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

    private final Executor delegate;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean running;

    /**
     * A serial view of {@code delegate}.
     *
     * @param delegate where the tasks run, not null
     */
    public SerialExecutor(Executor delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        synchronized (tasks) {
            tasks.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        schedule();
    }

    private void schedule() {
        try {
            delegate.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // The executor is shut down (the client closed, or the app stopped its executor): run the
            // rest here rather than leave futures uncompleted.
            log.debug("callback executor rejected a task; running the queued callbacks on {}", Thread.currentThread().getName());
            drainInline();
        }
    }

    private void drainInline() {
        while (true) {
            Runnable next;
            synchronized (tasks) {
                next = tasks.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            runSafely(next);
        }
    }

    private static void runSafely(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            log.warn("a geows client callback threw; the client goes on", t);
        }
    }

    private void drain() {
        Runnable next;
        synchronized (tasks) {
            next = tasks.poll();
            if (next == null) {
                running = false;
                return;
            }
        }
        runSafely(next);
        boolean more;
        synchronized (tasks) {
            more = !tasks.isEmpty();
            if (!more) {
                running = false;
            }
        }
        if (more) {
            // One task per turn: a busy client does not monopolise a shared executor's thread.
            schedule();
        }
    }
}
