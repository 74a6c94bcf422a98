package io.geows.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a {@link RedisBroker} finds out whether its subscription path works: Redis's own count of the
 * subscription connection's channels ({@code CLIENT INFO}) and a canary, published on the command
 * connection, that must come back on the subscription connection. Patient while Redis is busy: an
 * answer that queues behind this node's own traffic is not an outage (see {@link #awaitWhileBusy}).
 * The broker's checker thread asks; Lettuce's threads count what arrives.
 */
final class RedisProbe {
    private static final Pattern SUB_COUNT = Pattern.compile("(?:^|\\s)sub=(\\d+)");
    /** The longest a check waits behind a backlog of messages that keep arriving: 1 minute. */
    private static final long MAX_BUSY_WAIT_MILLIS = 60_000;

    private final String channel;
    private final Duration commandTimeout;
    private final BooleanSupplier closed;
    /** Messages received on the subscription connection: proof of life while a check waits. */
    private final LongAdder messagesIn = new LongAdder();
    /** Commands answered (successfully or not) on the command connection: progress under load. */
    private final LongAdder commandsAnswered = new LongAdder();
    private volatile CompletableFuture<Void> received;
    private volatile String nonce;

    RedisProbe(String channel, Duration commandTimeout, BooleanSupplier closed) {
        this.channel = channel;
        this.commandTimeout = commandTimeout;
        this.closed = closed;
    }

    /** The canary's channel, which the subscription connection must hold besides the rooms'. */
    String channel() {
        return channel;
    }

    /** A command was answered (an error reply too; Lettuce giving up is no answer). */
    void commandAnswered() {
        commandsAnswered.increment();
    }

    /**
     * Counts a message received on the subscription connection; {@code true} when it was on the
     * canary's channel (and so is not for the node).
     */
    boolean isCanary(String channel, byte[] message) {
        messagesIn.increment();
        if (!channel.equals(this.channel)) {
            return false;
        }
        CompletableFuture<Void> waiting = received;
        if (waiting != null && new String(message, StandardCharsets.UTF_8).equals(nonce)) {
            waiting.complete(null);
        }
        return true;
    }

    /** What Redis says the subscription connection holds ({@code CLIENT INFO}), or -1 if it won't say. */
    long reportedSubscriptions(RedisLink link) throws Exception {
        if (link.sharded()) {
            return -1; // shard channels live on several servers: the canary checks the path
        }
        String info;
        try {
            info = awaitWhileBusy(() -> link.pubsub().clientInfo(), messagesIn::sum);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RedisCommandExecutionException) {
                return -1; // refused (old Redis, ACL): the canary still checks the path
            }
            throw e;
        }
        Matcher m = SUB_COUNT.matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Sends the canary and waits until it comes back; throws when it does not. */
    void roundTrip(RedisLink link) throws Exception {
        String n = UUID.randomUUID().toString();
        CompletableFuture<Void> back = new CompletableFuture<>();
        nonce = n;
        received = back;
        // Under a storm of our own commands the canary queues behind them: Redis answering those is
        // back-pressure, not an outage.
        // (messages arriving on the subscription connection also show Redis at work for this node)
        awaitWhileBusy(() -> link.publish(link.commands(), channel, n.getBytes(StandardCharsets.UTF_8)),
                () -> commandsAnswered.sum() + messagesIn.sum());
        awaitWhileBusy(() -> back, messagesIn::sum);
    }

    /**
     * Waits for an answer that may queue behind others: on the subscription connection behind the
     * messages before it, on the command connection behind the node's own commands. As long as
     * {@code progress} moves (messages arrive, commands are answered) the connection is alive, so the
     * wait goes on (up to {@link #MAX_BUSY_WAIT_MILLIS}) instead of declaring Redis lost and refusing
     * publishes. A command Lettuce gave up on after its own timeout while others were being answered
     * is asked again ({@code ask} is called once per attempt).
     */
    private <T> T awaitWhileBusy(Supplier<? extends Future<T>> ask, LongSupplier progress) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_BUSY_WAIT_MILLIS);
        long seen = progress.getAsLong();
        Future<T> answer = ask.get();
        while (true) {
            try {
                return answer.get(commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                long now = progress.getAsLong();
                if (now == seen || System.nanoTime() > deadline || closed.getAsBoolean()) {
                    throw e;
                }
                seen = now; // still busy delivering: the answer waits behind that backlog
            } catch (ExecutionException e) {
                long now = progress.getAsLong();
                if (!(e.getCause() instanceof RedisCommandTimeoutException) || now == seen
                        || System.nanoTime() > deadline || closed.getAsBoolean()) {
                    throw e;
                }
                seen = now; // timed out behind our own backlog, which Redis is answering: ask again
                answer = ask.get();
            }
        }
    }
}
