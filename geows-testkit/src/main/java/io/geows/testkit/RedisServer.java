package io.geows.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import io.geows.testkit.TestCertificates.ServerCertificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real {@code redis-server} process on a free port of {@value Ports#LOOPBACK}, for tests.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.launch()) {
 *     connect(redis.uri());           // redis://127.0.0.1:<port>
 *     redis.kill();                   // crash it
 *     redis.start();                  // back on the same port
 * }
 * }</pre>
 *
 * <p>The binary is {@code $GEOWS_REDIS_SERVER} if set, else {@code redis-server} from
 * {@code PATH}, else {@code /usr/bin}, {@code /usr/sbin} or {@code /usr/local/bin}. The server runs
 * without persistence ({@code --save "" --appendonly no}) in a private temporary directory that
 * also holds its log ({@link #logFile()}); nothing it prints reaches the test's output. A server
 * is ready when it answers {@code PING} on its port ({@code +PONG}, or {@code -NOAUTH} when a
 * password or ACL users are set); with {@link Builder#tls} the check speaks TLS (trusting the
 * certificate's CA), so the port the testkit chose must be the one the server serves.
 *
 * <p>TLS and ACL users, for tests of broker security:
 * <pre>{@code
 * try (TestCertificates certs = TestCertificates.generate();
 *      RedisServer redis = RedisServer.builder().tls(certs.server()).aclUser("geows", "secret").start()) {
 *     connect("rediss://geows:secret@127.0.0.1:" + redis.port());  // redis.uri() is rediss://...
 * }
 * }</pre>
 *
 * <p>Lifecycle methods are synchronized and may be called from any thread; the accessors never
 * block. A JVM shutdown hook kills servers that were not closed.
 *
 * @since 0.1.0
 */
public final class RedisServer extends ServerProcess {

    /** Environment variable naming the {@code redis-server} binary: {@value}. */
    public static final String BINARY_ENV = "GEOWS_REDIS_SERVER";

    /** How long a start waits for the server to answer {@code PING}, by default: 10 s. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(10);

    /** How long a stop waits after SIGTERM before killing, by default: 5 s. */
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(RedisServer.class);

    private static final ExecutableLocator LOCATOR = new ExecutableLocator("redis-server",
            BINARY_ENV, "redis-server", List.of(Path.of("/usr/bin/redis-server"),
                    Path.of("/usr/sbin/redis-server"), Path.of("/usr/local/bin/redis-server")));

    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern CONFIG_WORD = Pattern.compile("[^\\s\"']+");

    private static final byte[] PING = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Path binary;
    private final List<String> extraArgs;
    private final boolean cluster;
    private final boolean sentinel;
    private final ServerCertificate tls;
    private final Path configFile;
    private volatile int port;
    private volatile int clusterBusPort;

    private RedisServer(Builder builder) {
        super("redis-server", log, builder.startTimeout, builder.stopTimeout);
        this.binary = locateOrCleanUp(() -> LOCATOR.locate(builder.binary, builder.environment));
        this.extraArgs = List.copyOf(builder.extraArgs);
        this.cluster = hasArg(extraArgs, "--cluster-enabled", "yes");
        this.sentinel = !builder.sentinelLines.isEmpty();
        this.tls = builder.tls;
        if (builder.aclUsers.isEmpty() && !sentinel) {
            this.configFile = null;
        } else {
            // ACL users go to a file, so their passwords are not on the command line (ps, log); a
            // Sentinel keeps its state in its file (it rewrites it), so a restart knows what it knew
            List<String> lines = new ArrayList<>();
            if (!builder.aclUsers.isEmpty()) {
                lines.add("user default off");
                lines.addAll(builder.aclUsers);
            }
            lines.addAll(builder.sentinelLines);
            this.configFile = writeWorkFile(sentinel ? "sentinel.conf" : "acl-users.conf", String.join("\n", lines) + "\n");
        }
        choosePorts();
    }

    /**
     * Starts a server with the default settings plus {@code extraArgs}, and waits until it answers
     * {@code PING}.
     *
     * @param extraArgs further {@code redis-server} arguments, appended after the defaults, which
     *     they override (for example {@code "--requirepass", "secret"})
     * @return the running server; close it when done
     * @throws ServerProcessException if the binary is missing, or the server does not start within
     *     {@link RedisServer#DEFAULT_START_TIMEOUT}
     */
    public static RedisServer launch(String... extraArgs) {
        return builder().args(extraArgs).start();
    }

    /**
     * Returns a builder for a server with non-default settings.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public int port() {
        return port;
    }

    /**
     * The port of the cluster bus, when extra arguments enabled cluster mode
     * ({@code --cluster-enabled yes}); the testkit picks a free one and passes
     * {@code --cluster-port} unless the arguments already did.
     *
     * @return the bus port, or {@code -1} when cluster mode is off or the arguments chose it
     */
    public int clusterBusPort() {
        return clusterBusPort;
    }

    /**
     * The server's address as a URI, without credentials.
     *
     * @return {@code redis://127.0.0.1:<port>}, or {@code rediss://127.0.0.1:<port>} with
     *     {@link Builder#tls}
     */
    public String uri() {
        return (tls != null ? "rediss://" : "redis://") + host() + ":" + port;
    }

    /**
     * Whether the server speaks TLS only ({@link Builder#tls}).
     *
     * @return {@code true} if its port is a TLS port and no plain port is open
     */
    public boolean isTls() {
        return tls != null;
    }

    @Override
    public String toString() {
        return "RedisServer[" + uri() + ", pid " + pid() + (isRunning() ? "" : ", stopped") + "]";
    }

    private void choosePorts() {
        port = Ports.freePort();
        boolean busPortGiven = extraArgs.contains("--cluster-port");
        // the default bus port is port + 10000, which overflows for high ephemeral ports
        clusterBusPort = cluster && !busPortGiven ? Ports.freePort() : -1;
    }

    @Override
    ManagedProcess.Launch nextLaunch() {
        return new ManagedProcess.Launch() {
            @Override
            public List<String> command() {
                List<String> command = new ArrayList<>(List.of(binary.toString()));
                if (configFile != null) {
                    command.add(configFile.toString()); // a configuration file must come first
                }
                if (sentinel) {
                    Collections.addAll(command, "--sentinel", "--port", String.valueOf(port), "--bind", Ports.LOOPBACK,
                            "--daemonize", "no", "--dir", process.workDir().toString());
                    command.addAll(extraArgs);
                    return command;
                }
                if (tls != null) {
                    // TLS only: no plain port, and clients need no certificate of their own
                    Collections.addAll(command, "--port", "0", "--tls-port", String.valueOf(port),
                            "--tls-cert-file", tls.certFile().toString(),
                            "--tls-key-file", tls.keyFile().toString(),
                            "--tls-auth-clients", "no");
                } else {
                    Collections.addAll(command, "--port", String.valueOf(port));
                }
                Collections.addAll(command, "--bind", Ports.LOOPBACK,
                        "--save", "", "--appendonly", "no", "--daemonize", "no",
                        "--dir", process.workDir().toString());
                if (clusterBusPort > 0) {
                    Collections.addAll(command, "--cluster-port", String.valueOf(clusterBusPort));
                }
                command.addAll(extraArgs);
                return command;
            }

            @Override
            public void probe(int timeoutMillis) throws IOException {
                ping(port, timeoutMillis, tls);
            }

            @Override
            public void choosePorts() {
                RedisServer.this.choosePorts();
            }
        };
    }

    private static void ping(int port, int timeoutMillis, ServerCertificate tls) throws IOException {
        try (Socket plain = ManagedProcess.connect(port, timeoutMillis);
             Socket socket = tls == null ? plain : handshake(plain, port, tls)) {
            OutputStream out = socket.getOutputStream();
            out.write(PING);
            out.flush();
            InputStream in = socket.getInputStream();
            String reply = ManagedProcess.readLine(in);
            // -NOAUTH: a password or ACL users are set; the server is up all the same
            if (!reply.equals("+PONG") && !reply.startsWith("-NOAUTH")) {
                throw new IOException("PING answered " + reply);
            }
        }
    }

    private static Socket handshake(Socket plain, int port, ServerCertificate tls) throws IOException {
        SSLSocketFactory factory = TestCertificates.trusting(tls.caFile()).getSocketFactory();
        SSLSocket socket = (SSLSocket) factory.createSocket(plain, Ports.LOOPBACK, port, true);
        socket.startHandshake();
        return socket;
    }

    private static boolean hasArg(List<String> args, String name, String value) {
        int index = args.indexOf(name);
        return index >= 0 && index + 1 < args.size() && args.get(index + 1).equalsIgnoreCase(value);
    }

    /**
     * Settings for a {@link RedisServer}. Not thread-safe; {@link #start()} may be called more
     * than once, each call starting a new server.
     *
     * @since 0.1.0
     */
    public static final class Builder extends ServerProcess.BinaryBuilder<Builder, RedisServer> {
        private final List<String> aclUsers = new ArrayList<>();
        private final List<String> sentinelLines = new ArrayList<>();
        private ServerCertificate tls;

        private Builder() {
            super(DEFAULT_START_TIMEOUT, DEFAULT_STOP_TIMEOUT);
        }

        @Override
        RedisServer create() {
            return new RedisServer(this);
        }

        /**
         * Serves TLS only, with this certificate: the port becomes a TLS port
         * ({@code --tls-port}, {@code --port 0}), clients need no certificate
         * ({@code --tls-auth-clients no}), and {@link RedisServer#uri()} starts with
         * {@code rediss://}.
         *
         * @param certificate for example {@link TestCertificates#server()}
         * @return this builder
         * @throws NullPointerException if {@code certificate} is null
         */
        public Builder tls(ServerCertificate certificate) {
            this.tls = Objects.requireNonNull(certificate, "certificate");
            return this;
        }

        /**
         * Adds an ACL user with a password and all permissions on every key and channel
         * ({@code ~* &* +@all}), and disables the {@code default} user, so that every connection
         * must authenticate as a user added here.
         *
         * @param name the user name: letters, digits, {@code -}, {@code _}, {@code .}
         * @param password the password, without white space or quotes
         * @return this builder
         * @throws IllegalArgumentException if the name or the password cannot be written to a
         *     Redis configuration file as they are
         */
        public Builder aclUser(String name, String password) {
            return aclUser(name, password, "~*", "&*", "+@all");
        }

        /**
         * Adds an ACL user with a password and these ACL rules, and disables the {@code default}
         * user, e.g. {@code aclUser("geows", "secret", "~geows:*", "&geows.*", "+@all", "-@dangerous")}.
         *
         * @param name the user name: letters, digits, {@code -}, {@code _}, {@code .}
         * @param password the password, without white space or quotes
         * @param rules Redis ACL rules ({@code ACL SETUSER} syntax), each without white space
         * @return this builder
         * @throws IllegalArgumentException if a value cannot be written to a Redis configuration
         *     file as it is
         */
        public Builder aclUser(String name, String password, String... rules) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(password, "password");
            if (!USER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("ACL user name '" + name
                        + "' must be letters, digits, '-', '_' or '.'");
            }
            if (!CONFIG_WORD.matcher(password).matches()) {
                throw new IllegalArgumentException("the password of ACL user '" + name
                        + "' must be non-empty, without white space or quotes");
            }
            StringBuilder line = new StringBuilder("user ").append(name).append(" on >").append(password);
            for (String rule : Objects.requireNonNull(rules, "rules")) {
                if (rule == null || !CONFIG_WORD.matcher(rule).matches()) {
                    throw new IllegalArgumentException("ACL rule '" + rule + "' of user '" + name
                            + "' must be non-empty, without white space or quotes");
                }
                line.append(' ').append(rule);
            }
            aclUsers.add(line.toString());
            return this;
        }

        /**
         * Runs a Redis Sentinel ({@code redis-server <conf> --sentinel}) that monitors the primary
         * {@code masterName} on {@code masterPort} of {@value Ports#LOOPBACK}.
         *
         * @param quorum    how many Sentinels must agree that the primary is down
         * @param downAfter how long the primary may not answer before it is considered down
         * @return this builder
         * @since 0.2.0
         */
        public Builder sentinel(String masterName, int masterPort, int quorum, Duration downAfter) {
            Objects.requireNonNull(masterName, "masterName");
            if (!USER_NAME.matcher(masterName).matches()) {
                throw new IllegalArgumentException("master name '" + masterName + "' must be letters, digits, '.', '_' or '-'");
            }
            sentinelLines.clear();
            Collections.addAll(sentinelLines,
                    "sentinel monitor " + masterName + " " + Ports.LOOPBACK + " " + masterPort + " " + quorum,
                    "sentinel down-after-milliseconds " + masterName + " " + downAfter.toMillis(),
                    "sentinel failover-timeout " + masterName + " " + Math.max(1000, 3 * downAfter.toMillis()),
                    "sentinel parallel-syncs " + masterName + " 1");
            return this;
        }
    }
}
