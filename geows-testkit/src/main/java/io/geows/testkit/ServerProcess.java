package io.geows.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;

/**
 * What {@link RedisServer}, {@link NatsServer} and {@link KafkaServer} share: a real server process
 * on free loopback ports that a test can stop, kill ({@code kill -9}), start again on the same ports,
 * and close.
 *
 * <p>Threading: the lifecycle methods are thread-safe (they serialize on the process).
 *
 * @since 0.1.0
 */
public abstract class ServerProcess implements AutoCloseable {
    /** The managed process; subclasses describe how to launch it in {@link #nextLaunch()}. */
    final ManagedProcess process;

    ServerProcess(String name, Logger log, Duration startTimeout, Duration stopTimeout) {
        this.process = new ManagedProcess(name, log, startTimeout, stopTimeout);
    }

    /** Runs a lookup that may fail after the process's directory exists; removes it on failure. */
    final <T> T locateOrCleanUp(java.util.function.Supplier<T> lookup) {
        try {
            return lookup.get();
        } catch (RuntimeException e) {
            process.close();
            throw e;
        }
    }

    /**
     * Writes {@code text} to the file {@code name} in the server's temporary directory; when that
     * fails the directory is removed, since the server will not be made.
     */
    final Path writeWorkFile(String name, String text) {
        Path file = process.workDir().resolve(name);
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            process.close();
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    /**
     * The host the server listens on.
     *
     * @return always {@value Ports#LOOPBACK}
     */
    public final String host() {
        return Ports.LOOPBACK;
    }

    /**
     * The port clients connect to. It does not change when the server is restarted.
     *
     * @return the TCP port
     */
    public abstract int port();

    /** The command line and readiness check of one start. */
    abstract ManagedProcess.Launch nextLaunch();

    /**
     * The file that receives the server's output (in its temporary directory, deleted by
     * {@link #close()}).
     *
     * @return the log file's path
     */
    public Path logFile() {
        return process.logFile();
    }

    /**
     * Whether the server process is alive.
     *
     * @return {@code true} from a successful start until it stops, is killed or dies
     */
    public boolean isRunning() {
        return process.isRunning();
    }

    /**
     * The operating-system id of the most recently started process (which may have exited since;
     * see {@link #isRunning()}).
     *
     * @return the pid
     */
    public long pid() {
        return process.pid();
    }

    /**
     * Starts the server again on the same port(s), with the same configuration, after
     * {@link #stop()}, {@link #kill()} or a crash, and waits until it is ready. If a port is briefly
     * unavailable it retries a few times. (A Redis data set starts empty: nothing is persisted; a
     * NATS JetStream store is kept.)
     *
     * @throws IllegalStateException if it is running or closed
     * @throws ServerProcessException if it does not start within the start timeout
     */
    public void start() {
        process.start(nextLaunch());
    }

    /**
     * Stops the server gracefully if it runs, then starts it again on the same port(s).
     *
     * @throws IllegalStateException if it is closed
     * @throws ServerProcessException if it cannot be stopped or started
     */
    public void restart() {
        process.restart(nextLaunch());
    }

    /**
     * Stops the server gracefully (SIGTERM; SIGKILL after the stop timeout) and waits for it to
     * exit, keeping its port(s) and directory for {@link #start()}. Does nothing if it is not running.
     *
     * @throws ServerProcessException if the process survives SIGKILL
     */
    public void stop() {
        process.stop();
    }

    /**
     * Kills the server at once (SIGKILL, as {@code kill -9}), as a crash would, and waits for it to
     * exit. Open connections are reset; new ones are refused until {@link #start()}. Does nothing
     * if it is not running.
     *
     * @throws ServerProcessException if the process does not exit
     */
    public void kill() {
        process.kill();
    }

    /**
     * Stops the server as {@link #stop()} does and deletes its temporary directory (log,
     * configuration, data). Idempotent;
     * the server cannot be started again.
     *
     * @throws ServerProcessException if the process survives SIGKILL
     */
    @Override
    public void close() {
        process.close();
    }
    /**
     * What every server's builder has: start and stop timeouts, and {@link #start()}.
     *
     * @param <B> the builder itself
     * @param <S> the server it starts
     */
    public abstract static class Builder<B extends Builder<B, S>, S extends ServerProcess> {
        Duration startTimeout;
        Duration stopTimeout;

        Builder(Duration startTimeout, Duration stopTimeout) {
            this.startTimeout = startTimeout;
            this.stopTimeout = stopTimeout;
        }

        /** A server with these settings, not started. */
        abstract S create();

        @SuppressWarnings("unchecked")
        final B self() {
            return (B) this;
        }

        /**
         * Sets how long a start waits for the server to be ready.
         *
         * @param timeout positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public B startTimeout(Duration timeout) {
            this.startTimeout = ManagedProcess.positive(timeout, "startTimeout");
            return self();
        }

        /**
         * Sets how long a stop waits after SIGTERM before sending SIGKILL.
         *
         * @param timeout positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public B stopTimeout(Duration timeout) {
            this.stopTimeout = ManagedProcess.positive(timeout, "stopTimeout");
            return self();
        }

        /**
         * Starts a server with these settings and waits until it is ready.
         *
         * @return the running server; close it when done
         * @throws ServerProcessException if what it needs is missing (the message says how to get it) or
         *     it does not start in time (the message ends with its log)
         */
        public S start() {
            S server = create();
            try {
                server.start();
                return server;
            } catch (RuntimeException e) {
                try {
                    server.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }

    /**
     * The builder of a server run from a binary found on the machine ({@code redis-server},
     * {@code nats-server}): extra arguments, the binary to use.
     *
     * @param <B> the builder itself
     * @param <S> the server it starts
     */
    public abstract static class BinaryBuilder<B extends BinaryBuilder<B, S>, S extends ServerProcess> extends Builder<B, S> {
        final List<String> extraArgs = new ArrayList<>();
        Path binary;
        Map<String, String> environment = System.getenv();

        BinaryBuilder(Duration startTimeout, Duration stopTimeout) {
            super(startTimeout, stopTimeout);
        }

        /**
         * Appends server arguments, passed after the defaults.
         *
         * @param args the arguments, none null
         * @return this builder
         * @throws NullPointerException if {@code args} or one of them is null
         */
        public B args(String... args) {
            for (String arg : Objects.requireNonNull(args, "args")) {
                extraArgs.add(Objects.requireNonNull(arg, "args contains null"));
            }
            return self();
        }

        /**
         * Uses this binary instead of looking one up.
         *
         * @param binary path of the executable
         * @return this builder
         * @throws NullPointerException if {@code binary} is null
         */
        public B binary(Path binary) {
            this.binary = Objects.requireNonNull(binary, "binary");
            return self();
        }

        /** Replaces the environment the binary is looked up in (tests of the lookup). */
        B environment(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
            return self();
        }
    }
}
