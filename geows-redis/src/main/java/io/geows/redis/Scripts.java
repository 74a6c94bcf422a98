package io.geows.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A Lua script run by its SHA. The first run on a connection is an {@code EVAL}, which loads the
 * script: Redis runs a connection's commands in order, so every {@code EVALSHA} sent after it finds
 * the script. (Falling back to {@code EVAL} only when an {@code EVALSHA} fails would let the commands
 * sent meanwhile overtake the failed one: a room's messages would land out of order after a fresh
 * start or a Redis restart.) {@code NOSCRIPT} still falls back to {@code EVAL}: after a
 * {@code SCRIPT FLUSH}, or after a cluster's slot moved to another master. On a Redis Cluster each master
 * loads a script by its own first {@code EVAL}: {@link Loaded} counts a script as sent per slot there,
 * so the first command of every slot is an {@code EVAL} (a cluster-wide first use used to let a room's
 * first appends on a second master overtake each other through the {@code NOSCRIPT} fallback).
 */
final class Scripts {
    static final Scripts APPEND = load("aged.lua", "append.lua");
    static final Scripts READ = load("aged.lua", "read.lua");
    static final Scripts ERASE = load("erase.lua");

    private final String source;
    private final String sha;

    private Scripts(String source) {
        this.source = source;
        try {
            this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A script made of the given files, in order (a shared one first defines local functions). */
    private static Scripts load(String... names) {
        StringBuilder source = new StringBuilder();
        for (String name : names) {
            try (InputStream in = Scripts.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("missing script " + name);
                }
                source.append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Scripts(source.toString());
    }

    /** Which scripts the connection has loaded since it (re)connected: per slot on a cluster (see above). */
    static final class Loaded {
        private final java.util.Set<String> sent = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private volatile boolean bySlot;

        /** Counts per slot (a Redis Cluster: each master loads its own). */
        void bySlot(boolean bySlot) {
            this.bySlot = bySlot;
        }

        /** Whether this is the first use of the script where {@code keys} go; records it. */
        boolean firstUse(Scripts script, String[] keys) {
            return sent.add(bySlot && keys.length > 0
                    ? script.sha + "@" + io.lettuce.core.cluster.SlotHash.getSlot(keys[0]) : script.sha);
        }

        /** The connection was lost: a new one (or a restarted Redis) may not know them. */
        void clear() {
            sent.clear();
        }
    }

    /**
     * Runs the script.
     *
     * @param sent the scripts sent on this connection since it (re)connected; cleared when it is lost
     */
    <T> CompletableFuture<T> run(RedisClusterAsyncCommands<String, byte[]> redis, Loaded sent,
                                 String[] keys, byte[]... args) {
        return run(redis, sent, ScriptOutputType.MULTI, keys, args);
    }

    /** Runs a script that returns a number. */
    <T> CompletableFuture<T> runInteger(RedisClusterAsyncCommands<String, byte[]> redis, Loaded sent,
                                        String[] keys, byte[]... args) {
        return run(redis, sent, ScriptOutputType.INTEGER, keys, args);
    }

    private <T> CompletableFuture<T> run(RedisClusterAsyncCommands<String, byte[]> redis, Loaded sent,
                                         ScriptOutputType type, String[] keys, byte[]... args) {
        if (sent.firstUse(this, keys)) {
            return redis.<T>eval(source, type, keys, args).toCompletableFuture();
        }
        CompletableFuture<T> bySha = redis.<T>evalsha(sha, type, keys, args).toCompletableFuture();
        return bySha.handle((result, err) -> {
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (cause instanceof RedisNoScriptException) {
                org.slf4j.LoggerFactory.getLogger(Scripts.class).debug("NOSCRIPT for {}; sending it with EVAL", sha);
                return redis.<T>eval(source, type, keys, args).toCompletableFuture();
            }
            return err == null ? CompletableFuture.completedFuture(result) : CompletableFuture.<T>failedFuture(cause);
        }).thenCompose(f -> f);
    }
}
