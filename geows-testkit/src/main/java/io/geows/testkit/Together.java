package io.geows.testkit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/** Servers of one cluster started at once (each waits for the others to form a quorum), and closed together. */
final class Together {
    private Together() {
    }

    /**
     * Runs every start at once and waits for all of them. If one fails, closes those that started and
     * throws the first failure, the others suppressed in it.
     */
    static <K, T extends AutoCloseable> Map<K, T> start(Map<K, Supplier<T>> starts) {
        Map<K, CompletableFuture<T>> starting = new LinkedHashMap<>();
        starts.forEach((k, s) -> starting.put(k, CompletableFuture.supplyAsync(s)));
        Map<K, T> started = new LinkedHashMap<>();
        RuntimeException failure = null;
        for (var e : starting.entrySet()) {
            try {
                started.put(e.getKey(), e.getValue().join());
            } catch (CompletionException ex) {
                failure = add(failure, ex.getCause() instanceof RuntimeException r ? r : ex);
            }
        }
        if (failure != null) {
            try {
                closeAll(started.values());
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
        return started;
    }

    /** Closes each one; throws the first failure, the others suppressed in it. */
    static void closeAll(Iterable<? extends AutoCloseable> all) {
        RuntimeException failure = null;
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                failure = add(failure, e instanceof RuntimeException r ? r : new IllegalStateException(e));
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException add(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
