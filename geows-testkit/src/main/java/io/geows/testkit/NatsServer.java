package io.geows.testkit;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

import io.geows.testkit.TestCertificates.ServerCertificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real {@code nats-server} process on a free port of {@value Ports#LOOPBACK}, for tests;
 * optionally with JetStream, a monitoring port, a server name and a configuration file (for
 * gateways, clusters, accounts).
 *
 * <pre>{@code
 * try (NatsServer nats = NatsServer.builder().jetStream().monitoring().start()) {
 *     connect(nats.uri());            // nats://127.0.0.1:<port>
 *     nats.kill();                    // crash it
 *     nats.start();                   // back on the same ports, JetStream data kept
 * }
 * }</pre>
 *
 * <p>The binary is {@code $GEOWS_NATS_SERVER} if set, else {@code nats-server} from {@code PATH},
 * else {@code /usr/sbin}, {@code /usr/bin} or {@code /usr/local/bin}. The server runs in a private
 * temporary directory that holds its log ({@link #logFile()}), its configuration file and its
 * JetStream store; nothing it prints reaches the test's output. A server is ready when its client
 * port sends the {@code INFO} line and, with monitoring on, {@code /healthz} answers 200 (which
 * includes JetStream being ready). NATS sends {@code INFO} before any TLS handshake and before
 * authentication, so the same check serves servers with {@link Builder#tls} and credentials.
 *
 * <p>TLS and credentials, for tests of broker security:
 * <pre>{@code
 * try (TestCertificates certs = TestCertificates.generate();
 *      NatsServer nats = NatsServer.builder().jetStream().tls(certs.server()).user("geows", "secret").start()) {
 *     connect(nats.uri());            // tls://127.0.0.1:<port>, user geows, password secret
 * }
 * }</pre>
 *
 * <p>Lifecycle methods are synchronized and may be called from any thread; the accessors never
 * block. A JVM shutdown hook kills servers that were not closed.
 *
 * @since 0.1.0
 */
public final class NatsServer extends ServerProcess {

    /** Environment variable naming the {@code nats-server} binary: {@value}. */
    public static final String BINARY_ENV = "GEOWS_NATS_SERVER";

    /** How long a start waits for the server to be ready, by default: 10 s. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(10);

    /** How long a stop waits after SIGTERM before killing, by default: 5 s. */
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(NatsServer.class);

    private static final ExecutableLocator LOCATOR = new ExecutableLocator("nats-server",
            BINARY_ENV, "nats-server", List.of(Path.of("/usr/sbin/nats-server"),
                    Path.of("/usr/bin/nats-server"), Path.of("/usr/local/bin/nats-server")));

    private static final Pattern QUOTABLE = Pattern.compile("[^\"\\\\\\r\\n]+");

    private final Path binary;
    private final List<String> extraArgs;
    private final boolean jetStream;
    private final boolean monitoring;
    private final String serverName;
    private final Path configFile;
    private final boolean tls;
    private volatile int port;
    private volatile int monitorPort = -1;
    private volatile String info;

    private NatsServer(Builder builder) {
        super("nats-server", log, builder.startTimeout, builder.stopTimeout);
        this.binary = locateOrCleanUp(() -> LOCATOR.locate(builder.binary, builder.environment));
        this.extraArgs = List.copyOf(builder.extraArgs);
        this.jetStream = builder.jetStream;
        this.monitoring = builder.monitoring;
        this.serverName = builder.serverName;
        this.tls = builder.tls != null;
        String config = builder.configText();
        this.configFile = config == null ? null : writeWorkFile("nats.conf", config);
        choosePorts();
    }

    /**
     * Starts a server with the default settings (no JetStream, no monitoring) plus
     * {@code extraArgs}, and waits until it is ready.
     *
     * @param extraArgs further {@code nats-server} arguments, appended after the defaults
     * @return the running server; close it when done
     * @throws ServerProcessException if the binary is missing, or the server does not start within
     *     {@link NatsServer#DEFAULT_START_TIMEOUT}
     */
    public static NatsServer launch(String... extraArgs) {
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
     * The client address as a URI, without credentials.
     *
     * @return {@code nats://127.0.0.1:<port>}, or {@code tls://127.0.0.1:<port>} with
     *     {@link Builder#tls}
     */
    public String uri() {
        return (tls ? "tls://" : "nats://") + host() + ":" + port;
    }

    /**
     * Whether clients must speak TLS ({@link Builder#tls}).
     *
     * @return {@code true} if the server requires TLS
     */
    public boolean isTls() {
        return tls;
    }

    /**
     * The HTTP monitoring port ({@code /healthz}, {@code /varz}, {@code /jsz}, ...).
     *
     * @return the port; it does not change when the server is restarted
     * @throws IllegalStateException if monitoring was not enabled with {@link Builder#monitoring()}
     */
    public int monitorPort() {
        if (!monitoring) {
            throw new IllegalStateException("monitoring is off; enable it with "
                    + "NatsServer.builder().monitoring()");
        }
        return monitorPort;
    }

    /**
     * The base URI of the monitoring endpoints.
     *
     * @return {@code http://127.0.0.1:<monitorPort>}
     * @throws IllegalStateException if monitoring was not enabled
     */
    public String monitorUri() {
        return "http://" + host() + ":" + monitorPort();
    }

    /**
     * Whether JetStream was enabled with {@link Builder#jetStream()}.
     *
     * @return {@code true} if the server runs with {@code -js}
     */
    public boolean isJetStream() {
        return jetStream;
    }

    /**
     * The server name set with {@link Builder#serverName(String)}.
     *
     * @return the name, or {@code null} if the server chose its own
     */
    public String serverName() {
        return serverName;
    }

    /**
     * The JSON of the {@code INFO} line the server sent when it was last found ready (server id,
     * version, {@code "jetstream":true}, ...).
     *
     * @return the JSON object's text, without the {@code INFO } prefix
     */
    public String info() {
        return info;
    }

    @Override
    public String toString() {
        return "NatsServer[" + uri() + (serverName != null ? ", " + serverName : "") + ", pid "
                + pid() + (isRunning() ? "" : ", stopped") + "]";
    }

    private void choosePorts() {
        port = Ports.freePort();
        if (monitoring) {
            monitorPort = Ports.freePort();
        }
    }

    @Override
    ManagedProcess.Launch nextLaunch() {
        return new ManagedProcess.Launch() {
            @Override
            public List<String> command() {
                List<String> command = new ArrayList<>(List.of(binary.toString()));
                // flags override the configuration file, so the file cannot move the client port
                if (configFile != null) {
                    Collections.addAll(command, "-c", configFile.toString());
                }
                Collections.addAll(command, "-a", Ports.LOOPBACK, "-p", String.valueOf(port));
                if (monitoring) {
                    Collections.addAll(command, "-m", String.valueOf(monitorPort));
                }
                if (serverName != null) {
                    Collections.addAll(command, "--server_name", serverName);
                }
                if (jetStream) {
                    Collections.addAll(command, "-js", "-sd",
                            process.workDir().resolve("jetstream").toString());
                }
                command.addAll(extraArgs);
                return command;
            }

            @Override
            public void probe(int timeoutMillis) throws IOException {
                String line = readInfo(port, timeoutMillis);
                if (monitoring) {
                    checkHealthz(monitorPort, timeoutMillis);
                }
                info = line;
            }

            @Override
            public void choosePorts() {
                NatsServer.this.choosePorts();
            }
        };
    }

    private static String readInfo(int port, int timeoutMillis) throws IOException {
        try (Socket socket = ManagedProcess.connect(port, timeoutMillis)) {
            String line = ManagedProcess.readLine(socket.getInputStream());
            if (!line.startsWith("INFO ")) {
                throw new IOException("expected INFO from nats-server, got " + line);
            }
            return line.substring("INFO ".length()).trim();
        }
    }

    private static void checkHealthz(int monitorPort, int timeoutMillis) throws IOException {
        URI uri = URI.create("http://" + Ports.LOOPBACK + ":" + monitorPort + "/healthz");
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        try {
            connection.setConnectTimeout(timeoutMillis);
            connection.setReadTimeout(timeoutMillis);
            // no keep-alive: leave no pooled connection or timer thread behind
            connection.setRequestProperty("Connection", "close");
            int status = connection.getResponseCode();
            if (status != HttpURLConnection.HTTP_OK) {
                throw new IOException(uri + " answered " + status);
            }
        } finally {
            connection.disconnect();
        }
    }

    /**
     * Settings for a {@link NatsServer}. Not thread-safe; {@link #start()} may be called more
     * than once, each call starting a new server.
     *
     * @since 0.1.0
     */
    public static final class Builder extends ServerProcess.BinaryBuilder<Builder, NatsServer> {
        private boolean jetStream;
        private boolean monitoring;
        private String serverName;
        private String config;
        private ServerCertificate tls;
        private String authorization;

        private Builder() {
            super(DEFAULT_START_TIMEOUT, DEFAULT_STOP_TIMEOUT);
        }

        @Override
        NatsServer create() {
            return new NatsServer(this);
        }

        /**
         * Enables JetStream ({@code -js}), storing in the server's temporary directory, which
         * survives {@link NatsServer#restart()} and {@link NatsServer#kill()}.
         *
         * @return this builder
         */
        public Builder jetStream() {
            this.jetStream = true;
            return this;
        }

        /**
         * Enables HTTP monitoring on a free port ({@code -m}); the server then counts as ready
         * only when {@code /healthz} answers 200.
         *
         * @return this builder
         */
        public Builder monitoring() {
            this.monitoring = true;
            return this;
        }

        /**
         * Sets the server name ({@code --server_name}), as gateways, clusters and JetStream in a
         * cluster need unique names.
         *
         * @param name the name, not blank
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         * @throws IllegalArgumentException if {@code name} is blank or contains whitespace
         */
        public Builder serverName(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("server name must be a non-blank word, was '"
                        + name + "'");
            }
            this.serverName = name;
            return this;
        }

        /**
         * Sets the text of a configuration file, written to the server's temporary directory and
         * passed with {@code -c}; for gateways, clusters or accounts, e.g.
         * {@code gateway { name: "A", port: 7222, gateways: [{name: "B", urls: ["nats://127.0.0.1:7223"]}] }}
         * with ports from {@link Ports#freePort()}. The client address, port, monitoring port,
         * server name and JetStream flags given by the testkit override the file.
         *
         * @param configText the configuration in nats-server's format
         * @return this builder
         * @throws NullPointerException if {@code configText} is null
         */
        public Builder config(String configText) {
            this.config = Objects.requireNonNull(configText, "configText");
            return this;
        }

        /**
         * Requires TLS of every client, with this certificate (a {@code tls} block with
         * {@code cert_file} and {@code key_file} in the configuration file); clients need no
         * certificate of their own, and {@link NatsServer#uri()} starts with {@code tls://}.
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
         * Requires every client to log in as this user (an {@code authorization} block with
         * {@code user} and {@code password}). Replaces an earlier {@link #token(String)}.
         *
         * @param name the user name, without quotes, backslashes or line breaks
         * @param password the password, likewise
         * @return this builder
         * @throws IllegalArgumentException if a value contains such a character or is empty
         */
        public Builder user(String name, String password) {
            this.authorization = "authorization {\n  user: \"" + quotable("user", name) + "\"\n  password: \""
                    + quotable("password", password) + "\"\n}\n";
            return this;
        }

        /**
         * Requires every client to present this token (an {@code authorization} block with
         * {@code token}). Replaces an earlier {@link #user(String, String)}.
         *
         * @param token the token, without quotes, backslashes or line breaks
         * @return this builder
         * @throws IllegalArgumentException if it contains such a character or is empty
         */
        public Builder token(String token) {
            this.authorization = "authorization {\n  token: \"" + quotable("token", token) + "\"\n}\n";
            return this;
        }

        /** The configuration file's text: {@link #config}, then TLS and authorization; null if none. */
        String configText() {
            if (config == null && tls == null && authorization == null) {
                return null;
            }
            StringBuilder text = new StringBuilder();
            if (config != null) {
                text.append(config).append('\n');
            }
            if (tls != null) {
                text.append("tls {\n  cert_file: \"").append(quotable("certificate path", tls.certFile().toString()))
                        .append("\"\n  key_file: \"").append(quotable("key path", tls.keyFile().toString()))
                        .append("\"\n  timeout: 5\n}\n");
            }
            if (authorization != null) {
                text.append(authorization);
            }
            return text.toString();
        }

        private static String quotable(String what, String value) {
            Objects.requireNonNull(value, what);
            if (value.isEmpty() || !QUOTABLE.matcher(value).matches()) {
                throw new IllegalArgumentException(what + " must be non-empty, without quotes, backslashes or"
                        + " line breaks");
            }
            return value;
        }
    }
}
