package io.geows.testkit;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;

/**
 * One server process owned by a test: a private working directory, output captured to a log file
 * in it, start-until-ready with retries on port conflicts, graceful and forced stops. The servers
 * ({@link RedisServer}, {@link NatsServer}) supply the command line and the readiness probe.
 *
 * <p>Lifecycle methods are synchronized; {@link #isRunning()} and {@link #pid()} may be called
 * from any thread.
 */
final class ManagedProcess {

    /** How many log lines failure messages include. */
    static final int LOG_TAIL_LINES = 20;

    /** What a server does to be started: its command line, its readiness check, its ports. */
    interface Launch {
        /** The full command line, binary first, for the current ports. */
        List<String> command();

        /**
         * Returns normally once the server serves its protocol; throws while it does not.
         *
         * @param timeoutMillis bound for each socket operation of the check
         */
        void probe(int timeoutMillis) throws IOException;

        /** Picks new ports; called only while the server has never started successfully. */
        void choosePorts();
    }

    private static final long POLL_MILLIS = 25;
    private static final int MAX_PROBE_MILLIS = 250;
    private static final int PORT_ATTEMPTS = 5;
    private static final long PORT_RETRY_PAUSE_MILLIS = 100;
    private static final int LOG_TAIL_BYTES = 64 * 1024;
    private static final int MAX_LINE_BYTES = 64 * 1024;
    private static final Pattern CONTROL_CHARACTERS = Pattern.compile("[\\p{Cntrl}&&[^\\t]]");

    /** Processes still running, killed by a shutdown hook if a test forgets to close them. */
    private static final Set<ManagedProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Thread reaper = new Thread(() -> LIVE.forEach(ManagedProcess::reap),
                "geows-testkit-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    private final String name;
    private final Logger log;
    private final Path workDir;
    private final Path logFile;
    private final Duration startTimeout;
    private final Duration stopTimeout;

    private volatile Process process;
    private volatile long pid = -1;
    private boolean startedOnce;
    private boolean closed;

    /**
     * @param name the binary's name, used in messages and for the log file
     * @throws ServerProcessException if the working directory cannot be created
     */
    ManagedProcess(String name, Logger log, Duration startTimeout, Duration stopTimeout) {
        this.name = name;
        this.log = log;
        this.startTimeout = startTimeout;
        this.stopTimeout = stopTimeout;
        try {
            this.workDir = Files.createTempDirectory("geows-" + name + "-");
        } catch (IOException e) {
            throw new ServerProcessException("cannot create a temporary directory for " + name
                    + " (is java.io.tmpdir writable?)", e);
        }
        this.logFile = workDir.resolve(name + ".log");
    }

    Path workDir() {
        return workDir;
    }

    Path logFile() {
        return logFile;
    }

    boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    long pid() {
        return pid;
    }

    /**
     * Starts the process and waits until {@code launch} reports it ready. If it dies because a
     * port is taken, tries again: on new ports before the first successful start, on the same
     * ports (after a pause) afterwards.
     *
     * @throws IllegalStateException if running or closed
     * @throws ServerProcessException if it cannot be started or does not become ready in time
     */
    synchronized void start(Launch launch) {
        if (closed) {
            throw new IllegalStateException(name + " is closed; start a new one");
        }
        if (isRunning()) {
            throw new IllegalStateException(name + " is already running (pid " + pid
                    + "); use restart()");
        }
        for (int attempt = 1; ; attempt++) {
            try {
                startOnce(launch);
                startedOnce = true;
                return;
            } catch (PortInUseException e) {
                if (attempt >= PORT_ATTEMPTS) {
                    throw new ServerProcessException(name + " could not bind its port after "
                            + attempt + " attempts: another process holds it; last lines of its"
                            + " log:\n" + e.getMessage());
                }
                log.debug("{} could not bind its port (attempt {}), retrying", name, attempt);
                if (startedOnce) {
                    // a restart keeps its ports: give the kernel a moment to release them
                    pause(PORT_RETRY_PAUSE_MILLIS * attempt);
                } else {
                    launch.choosePorts();
                }
            }
        }
    }

    private void startOnce(Launch launch) throws PortInUseException {
        List<String> command = launch.command();
        long logOffset = logSize();
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        Process p;
        try {
            p = builder.start();
        } catch (IOException e) {
            throw new ServerProcessException("cannot run " + command.get(0) + ": " + e.getMessage()
                    + " (set the binary's path with the builder or its environment variable)", e);
        }
        closeQuietly(p.getOutputStream());
        process = p;
        pid = p.pid();
        LIVE.add(this);

        long startNanos = System.nanoTime();
        long deadline = startNanos + startTimeout.toNanos();
        IOException lastProbeFailure = null;
        while (true) {
            if (!p.isAlive()) {
                LIVE.remove(this);
                String output = logSince(logOffset);
                if (output.toLowerCase(Locale.ROOT).contains("address already in use")) {
                    throw new PortInUseException(lastLines(output));
                }
                throw new ServerProcessException(name + " exited with code " + p.exitValue()
                        + " while starting (command: " + describe(command) + ")"
                        + logTailSuffix());
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                forceStop(p);
                throw new ServerProcessException(name + " did not become ready within "
                        + startTimeout.toMillis() + " ms (command: " + describe(command)
                        + "; last check: " + lastProbeFailure + ")" + logTailSuffix());
            }
            try {
                int probeMillis = (int) Math.max(1, Math.min(MAX_PROBE_MILLIS,
                        TimeUnit.NANOSECONDS.toMillis(remaining)));
                launch.probe(probeMillis);
                if (p.isAlive()) {
                    log.info("started {} (pid {}) in {} ms, log: {}", name, p.pid(),
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), logFile);
                    return;
                }
            } catch (IOException e) {
                lastProbeFailure = e;
            }
            try {
                // waits on the process, so a crash ends the wait at once
                p.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                forceStop(p);
                throw new ServerProcessException("interrupted while waiting for " + name
                        + " to start", e);
            }
        }
    }

    /**
     * Stops the process if it runs, then starts it again as {@link #start(Launch)} does, holding
     * the lock throughout so no other lifecycle call slips in between.
     */
    synchronized void restart(Launch launch) {
        stop();
        start(launch);
    }

    /**
     * Stops the process gracefully (SIGTERM), forcibly after the stop timeout, and waits for it
     * to exit. Does nothing if it is not running.
     *
     * @throws ServerProcessException if it is still alive even after being killed
     */
    synchronized void stop() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            LIVE.remove(this);
            return;
        }
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        if (!awaitExit(p, stopTimeout)) {
            log.warn("{} (pid {}) did not exit within {} ms of SIGTERM, killing it", name, p.pid(),
                    stopTimeout.toMillis());
            forceStop(p);
        }
        // a wrapper script may leave its server behind
        children.forEach(ProcessHandle::destroyForcibly);
        LIVE.remove(this);
        log.debug("stopped {} (pid {})", name, p.pid());
    }

    /**
     * Kills the process (SIGKILL) and waits for it to exit. Does nothing if it is not running.
     *
     * @throws ServerProcessException if it is still alive after the stop timeout
     */
    synchronized void kill() {
        Process p = process;
        if (p != null && p.isAlive()) {
            forceStop(p);
            log.debug("killed {} (pid {})", name, p.pid());
        }
        LIVE.remove(this);
    }

    /**
     * Stops the process and deletes the working directory. Idempotent.
     *
     * @throws ServerProcessException if the process cannot be stopped
     */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            deleteRecursively(workDir);
        }
    }

    /** The last lines of the log, prefixed for appending to a message, or "" if there are none. */
    String logTailSuffix() {
        String tail = lastLines(readLog(Math.max(0, logSize() - LOG_TAIL_BYTES)));
        return tail.isEmpty() ? "" : "; last lines of its log (" + logFile + "):\n" + tail;
    }

    private void forceStop(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        if (!awaitExit(p, stopTimeout)) {
            throw new ServerProcessException(name + " (pid " + p.pid() + ") is still alive "
                    + stopTimeout.toMillis() + " ms after SIGKILL");
        }
    }

    /** Waits for exit; an interrupt ends the wait early and is kept for the caller. */
    private static boolean awaitExit(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    private long logSize() {
        try {
            return Files.exists(logFile) ? Files.size(logFile) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private String logSince(long offset) {
        return readLog(Math.max(offset, logSize() - LOG_TAIL_BYTES));
    }

    private String readLog(long offset) {
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
            long length = file.length();
            if (offset >= length) {
                return "";
            }
            byte[] bytes = new byte[(int) (length - offset)];
            file.seek(offset);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String lastLines(String text) {
        List<String> lines = text.lines()
                .filter(line -> !line.isBlank())
                .map(line -> CONTROL_CHARACTERS.matcher(line).replaceAll("?"))
                .toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES),
                lines.size()));
    }

    private void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    log.warn("cannot delete {}: {}", path, e.toString());
                }
            });
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", dir, e.toString());
        }
    }

    /**
     * Kills the process from the shutdown hook. Takes no lock: a test thread may hold it while
     * the JVM exits, and waiting for that thread would hang the exit.
     */
    private void reap() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            awaitExit(p, stopTimeout);
        }
        deleteRecursively(workDir);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // nothing to do: the stream is unused
        }
    }

    /** The command line as a shell would need it, so empty and spaced arguments show. */
    private static String describe(List<String> command) {
        StringBuilder text = new StringBuilder();
        for (String arg : command) {
            if (text.length() > 0) {
                text.append(' ');
            }
            boolean plain = !arg.isEmpty() && arg.chars().noneMatch(
                    c -> Character.isWhitespace(c) || c == '"' || c == '\'');
            text.append(plain ? arg : "'" + arg.replace("'", "'\\''") + "'");
        }
        return text.toString();
    }

    private static void pause(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerProcessException("interrupted while waiting to retry a start", e);
        }
    }

    /** Checks a builder's timeout setting. */
    static Duration positive(Duration timeout, String name) {
        Objects.requireNonNull(timeout, name);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + timeout);
        }
        return timeout;
    }

    /** Opens a plain TCP connection to a loopback port, with connect and read timeouts. */
    static Socket connect(int port, int timeoutMillis) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(Ports.LOOPBACK, port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            socket.setTcpNoDelay(true);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Reads one CRLF- or LF-terminated line (without the terminator) of at most 64 KiB. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed after " + line.size() + " bytes");
            }
            if (b == '\n') {
                break;
            }
            if (line.size() >= MAX_LINE_BYTES) {
                throw new IOException("line longer than " + MAX_LINE_BYTES + " bytes");
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.UTF_8);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    /** The process died because a port it needed was taken. */
    private static final class PortInUseException extends Exception {
        private static final long serialVersionUID = 1L;

        PortInUseException(String logLines) {
            super(logLines);
        }
    }
}
