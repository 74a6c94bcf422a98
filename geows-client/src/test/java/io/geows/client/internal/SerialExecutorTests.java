package io.geows.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class SerialExecutorTests {
    /** An executor that runs nothing until told to, in any order the test picks. */
    private static final class Manual implements Executor {
        final ArrayDeque<Runnable> submitted = new ArrayDeque<>();
        boolean rejecting;

        @Override
        public void execute(Runnable command) {
            if (rejecting) {
                throw new RejectedExecutionException("shut down");
            }
            submitted.add(command);
        }

        void runAll() {
            while (!submitted.isEmpty()) {
                submitted.pollLast().run(); // last first: a pool may run tasks in any order
            }
        }
    }

    @Test
    void tasksRunOneAtATimeInSubmissionOrderWhateverTheExecutorDoes() {
        Manual pool = new Manual();
        SerialExecutor serial = new SerialExecutor(pool);
        List<Integer> ran = new ArrayList<>();

        for (int i = 0; i < 5; i++) {
            int n = i;
            serial.execute(() -> ran.add(n));
        }
        assertThat(pool.submitted).as("one task handed over at a time").hasSize(1);
        pool.runAll();

        assertThat(ran).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void aTaskThatThrowsDoesNotStopTheNext() {
        Manual pool = new Manual();
        SerialExecutor serial = new SerialExecutor(pool);
        List<String> ran = new ArrayList<>();

        serial.execute(() -> {
            throw new IllegalStateException("listener bug");
        });
        serial.execute(() -> ran.add("next"));
        pool.runAll();

        assertThat(ran).containsExactly("next");
    }

    @Test
    void whenTheExecutorIsShutDownTasksRunOnTheCallerSoFuturesStillComplete() {
        Manual pool = new Manual();
        pool.rejecting = true;
        SerialExecutor serial = new SerialExecutor(pool);
        List<String> ran = new ArrayList<>();

        serial.execute(() -> ran.add("a"));
        serial.execute(() -> ran.add("b"));

        assertThat(ran).containsExactly("a", "b");
    }
}
