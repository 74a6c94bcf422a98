package io.geows.testkit;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The listeners of a {@link KafkaServer} and what they need: the broker properties that describe
 * them, the PEM key store of the TLS ones, the storage tool's {@code --add-scram} arguments, and the
 * readiness probe of a plaintext listener.
 *
 * <ul>
 * <li>{@code PLAINTEXT} (clients, and between brokers) and {@code CONTROLLER} (KRaft), always;</li>
 * <li>{@value #SASL} when there are SASL users: PLAIN users log in with PLAIN, SCRAM users with
 *     SCRAM-SHA-256 or SCRAM-SHA-512; SASL_PLAINTEXT, or SASL_SSL when the broker has TLS;</li>
 * <li>{@value #SSL} (protocol SSL, no client authentication) when the broker has TLS;</li>
 * <li>the proxied listeners (plaintext), as {@link KafkaServer.Builder#proxiedListener} adds them.</li>
 * </ul>
 *
 * <p>Kafka reads the key store as {@code ssl.keystore.type=PEM}: one file with the private key,
 * which must be unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}; Kafka's PEM parser cannot read
 * {@code BEGIN EC PRIVATE KEY}) and then needs no {@code ssl.key.password}, followed by the
 * certificate. EC keys work (Kafka tries RSA, DSA and EC key factories).
 *
 * <p>Immutable after construction.
 */
final class KafkaListeners {
    /** The name of the SASL listener: {@value}. */
    static final String SASL = "SASL";
    /** The name of the TLS listener (protocol SSL): {@value}. */
    static final String SSL = "SSL";
    /** The names a proxied listener may not take. */
    static final List<String> RESERVED_NAMES = List.of("PLAINTEXT", "CONTROLLER", SASL, SSL);

    private static final String PLAIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule";
    private static final String SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule";
    private static final List<String> SCRAM_MECHANISMS = List.of("SCRAM-SHA-256", "SCRAM-SHA-512");

    private final int port;
    private final int controllerPort;
    private final int saslPort;
    private final int tlsPort;
    private final Map<String, int[]> proxied;
    private final Map<String, String> plainUsers;
    private final Map<String, String> scramUsers;
    private final TestCertificates.ServerCertificate tls;

    /** Picks free ports for the SASL and TLS listeners that are needed. */
    KafkaListeners(int port, int controllerPort, Map<String, int[]> proxied, Map<String, String> plainUsers,
            Map<String, String> scramUsers, TestCertificates.ServerCertificate tls) {
        this.port = port;
        this.controllerPort = controllerPort;
        this.proxied = new LinkedHashMap<>(proxied);
        this.plainUsers = new LinkedHashMap<>(plainUsers);
        this.scramUsers = new LinkedHashMap<>(scramUsers);
        this.tls = tls;
        this.saslPort = plainUsers.isEmpty() && scramUsers.isEmpty() ? -1 : Ports.freePort();
        this.tlsPort = tls == null ? -1 : Ports.freePort();
    }

    /** The SASL listener's port, or -1 without SASL users. */
    int saslPort() {
        return saslPort;
    }

    /** The TLS listener's port, or -1 without TLS. */
    int tlsPort() {
        return tlsPort;
    }

    /**
     * The listener properties of {@code server.properties}; with TLS, writes the key store (the
     * server's key, then its certificate) to {@code keyStore} first.
     */
    Map<String, String> properties(Path keyStore) throws IOException {
        List<String> listeners = new ArrayList<>();
        List<String> advertised = new ArrayList<>();
        List<String> protocols = new ArrayList<>();
        add(listeners, advertised, protocols, "PLAINTEXT", port, port, "PLAINTEXT");
        listeners.add("CONTROLLER://" + Ports.LOOPBACK + ":" + controllerPort);
        protocols.add("CONTROLLER:PLAINTEXT");
        if (saslPort > 0) {
            add(listeners, advertised, protocols, SASL, saslPort, saslPort, tls != null ? "SASL_SSL" : "SASL_PLAINTEXT");
        }
        if (tlsPort > 0) {
            add(listeners, advertised, protocols, SSL, tlsPort, tlsPort, "SSL");
        }
        proxied.forEach((name, ports) -> add(listeners, advertised, protocols, name, ports[0], ports[1], "PLAINTEXT"));
        Map<String, String> p = new LinkedHashMap<>();
        p.put("listeners", String.join(",", listeners));
        p.put("advertised.listeners", String.join(",", advertised));
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", String.join(",", protocols));
        if (saslPort > 0) {
            List<String> mechanisms = new ArrayList<>();
            String prefix = "listener.name." + SASL.toLowerCase(Locale.ROOT) + ".";
            if (!plainUsers.isEmpty()) {
                mechanisms.add("PLAIN");
                StringBuilder jaas = new StringBuilder(PLAIN_MODULE + " required");
                plainUsers.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password)
                        .append('"'));
                p.put(prefix + "plain.sasl.jaas.config", jaas.append(';').toString());
            }
            if (!scramUsers.isEmpty()) {
                // the credentials themselves are in the metadata log (formatArguments)
                for (String mechanism : SCRAM_MECHANISMS) {
                    mechanisms.add(mechanism);
                    p.put(prefix + mechanism.toLowerCase(Locale.ROOT) + ".sasl.jaas.config", SCRAM_MODULE + " required;");
                }
            }
            p.put("sasl.enabled.mechanisms", String.join(",", mechanisms));
        }
        if (tls != null) {
            Files.writeString(keyStore, Files.readString(tls.keyFile(), StandardCharsets.US_ASCII).strip() + "\n"
                    + Files.readString(tls.certFile(), StandardCharsets.US_ASCII).strip() + "\n", StandardCharsets.US_ASCII);
            p.put("ssl.keystore.type", "PEM");
            p.put("ssl.keystore.location", keyStore.toString());
        }
        return p;
    }

    private static void add(List<String> listeners, List<String> advertised, List<String> protocols, String name, int port,
            int advertisedPort, String protocol) {
        listeners.add(name + "://" + Ports.LOOPBACK + ":" + port);
        advertised.add(name + "://" + Ports.LOOPBACK + ":" + advertisedPort);
        protocols.add(name + ":" + protocol);
    }

    /**
     * The storage tool's arguments that put the SCRAM users' credentials, for both mechanisms, in the
     * metadata log when it formats the storage (KRaft keeps them there, not in a JAAS file).
     */
    List<String> formatArguments() {
        List<String> args = new ArrayList<>();
        scramUsers.forEach((user, password) -> {
            for (String mechanism : SCRAM_MECHANISMS) {
                args.add("--add-scram");
                args.add(mechanism + "=[name=" + user + ",password=" + password + "]");
            }
        });
        return args;
    }

    /**
     * Checks a SASL user: a name of letters, digits, {@code -} or {@code _}; a password without
     * quotes, backslashes or line breaks (JAAS quotes it), for SCRAM also without commas (the
     * storage tool splits its argument at commas).
     */
    static void checkUser(String user, String password, boolean scram) {
        String forbidden = scram ? "(?s).*[\"\\\\,\n\r].*" : "(?s).*[\"\\\\\n\r].*";
        if (!user.matches("[A-Za-z0-9_-]+") || password.isEmpty() || password.matches(forbidden)) {
            throw new IllegalArgumentException("a SASL user is letters, digits, '-' or '_', its password has no quotes,"
                    + " backslashes" + (scram ? ", commas" : "") + " or line breaks");
        }
    }

    /** Checks that a key file is an unencrypted PKCS#8 PEM key, the only form Kafka's PEM key store reads. */
    static void checkKey(Path keyFile) {
        String key;
        try {
            key = Files.readString(keyFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the server key " + keyFile + ": " + e, e);
        }
        if (!key.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new IllegalArgumentException("Kafka reads only an unencrypted PKCS#8 key (BEGIN PRIVATE KEY), " + keyFile
                    + " is not one: convert it with openssl pkcs8 -topk8 -nocrypt");
        }
    }

    /**
     * Probes a plaintext listener: sends an ApiVersions v0 request and checks the answer's error
     * code is 0.
     */
    static void apiVersions(int port, int timeoutMillis) throws IOException {
        try (Socket socket = ManagedProcess.connect(port, timeoutMillis)) {
            socket.setSoTimeout(timeoutMillis);
            byte[] clientId = "geows-testkit".getBytes(StandardCharsets.UTF_8);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(2 + 2 + 4 + 2 + clientId.length);
            out.writeShort(18); // ApiVersions
            out.writeShort(0);  // version 0
            out.writeInt(1);    // correlation id
            out.writeShort(clientId.length);
            out.write(clientId);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int size = in.readInt();
            if (size < 6) {
                throw new IOException("short ApiVersions answer (" + size + " bytes)");
            }
            int correlation = in.readInt();
            short error = in.readShort();
            if (correlation != 1 || error != 0) {
                throw new IOException("ApiVersions answered correlation " + correlation + ", error " + error);
            }
        }
    }
}
