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

/** A Lua script run by its SHA, loaded on first use (and again after a Redis restart). */
final class Scripts {
    static final Scripts APPEND = load("append.lua");
    static final Scripts READ = load("read.lua");

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

    private static Scripts load(String name) {
        try (InputStream in = Scripts.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing script " + name);
            }
            return new Scripts(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the script: EVALSHA, falling back to EVAL when Redis does not know it yet. */
    <T> CompletableFuture<T> run(RedisClusterAsyncCommands<String, byte[]> redis, String[] keys, byte[]... args) {
        CompletableFuture<T> bySha = redis.<T>evalsha(sha, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
        return bySha.handle((result, err) -> {
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (cause instanceof RedisNoScriptException) {
                return redis.<T>eval(source, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
            }
            return err == null ? CompletableFuture.completedFuture(result) : CompletableFuture.<T>failedFuture(cause);
        }).thenCompose(f -> f);
    }
}
