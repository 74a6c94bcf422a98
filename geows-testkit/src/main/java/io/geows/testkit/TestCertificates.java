package io.geows.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;

/**
 * A throw-away certificate authority and server certificates, generated with {@code openssl} when
 * a test starts, for brokers that speak TLS ({@link RedisServer.Builder#tls},
 * {@link NatsServer.Builder#tls}) and clients that must trust them. Nothing is committed or reused:
 * every instance makes new keys in its own temporary directory and {@link #close()} deletes them.
 *
 * <pre>{@code
 * try (TestCertificates certs = TestCertificates.generate();
 *      RedisServer redis = RedisServer.builder().tls(certs.server()).start()) {
 *     RedisBroker.builder().uri(redis.uri()).trustedCertificates(certs.caFile()).build();
 * }
 * }</pre>
 *
 * <p>What it holds:
 * <ul>
 * <li>{@link #caFile()} — the CA clients trust (PEM), also as a PKCS#12 trust store
 *     ({@link #trustStore()}, password {@link #trustStorePassword()});</li>
 * <li>{@link #server()} — a server certificate from that CA for {@code IP:127.0.0.1} and
 *     {@code DNS:localhost}, where every testkit server listens;</li>
 * <li>{@link #wrongHost()} — from the same CA, but naming only {@value #WRONG_HOST}: a client
 *     that verifies host names must refuse it on 127.0.0.1;</li>
 * <li>{@link #untrusted()} — for 127.0.0.1 and localhost, but from another CA that nothing here
 *     trusts: a client must refuse it.</li>
 * </ul>
 * Keys are EC P-256, certificates valid for two days. The {@code openssl} binary is
 * {@code $GEOWS_OPENSSL} if set, else {@code openssl} from {@code PATH} or {@code /usr/bin}.
 *
 * <p>Thread-safe (immutable after {@link #generate()}).
 *
 * @since 0.1.0
 */
public final class TestCertificates implements AutoCloseable {

    /** Environment variable naming the {@code openssl} binary: {@value}. */
    public static final String BINARY_ENV = "GEOWS_OPENSSL";

    /** The only host name in {@link #wrongHost()}'s certificate: {@value}. */
    public static final String WRONG_HOST = "wrong-host.invalid";

    private static final ExecutableLocator LOCATOR = new ExecutableLocator("openssl", BINARY_ENV,
            "openssl", List.of(Path.of("/usr/bin/openssl"), Path.of("/usr/local/bin/openssl")));

    private static final String LOOPBACK_NAMES = "IP:127.0.0.1,DNS:localhost";
    private static final long OPENSSL_TIMEOUT_SECONDS = 30;

    private final Path dir;
    private final Path openssl;
    private final Path caFile;
    private final Path trustStore;
    private final char[] trustStorePassword;
    private final ServerCertificate server;
    private final ServerCertificate wrongHost;
    private final ServerCertificate untrusted;

    private TestCertificates(Path dir, Path openssl) throws IOException, GeneralSecurityException {
        this.dir = dir;
        this.openssl = openssl;
        this.caFile = ca("ca");
        this.server = serverCertificate("server", "ca", LOOPBACK_NAMES);
        this.wrongHost = serverCertificate("wrong-host", "ca", "DNS:" + WRONG_HOST);
        ca("untrusted-ca");
        this.untrusted = serverCertificate("untrusted-server", "untrusted-ca", LOOPBACK_NAMES);
        this.trustStorePassword = randomHex(8).toCharArray();
        this.trustStore = dir.resolve("truststore.p12");
        writeTrustStore(caFile, trustStore, trustStorePassword);
    }

    /**
     * Generates a CA and the server certificates in a new temporary directory.
     *
     * @return the certificates; close them to delete the directory
     * @throws ServerProcessException if {@code openssl} is missing or fails (with its output)
     */
    public static TestCertificates generate() {
        Path openssl = LOCATOR.locate(null, System.getenv());
        Path dir;
        try {
            dir = Files.createTempDirectory("geows-certs-");
        } catch (IOException e) {
            throw new ServerProcessException("cannot create a temporary directory for test certificates"
                    + " (is java.io.tmpdir writable?)", e);
        }
        try {
            return new TestCertificates(dir, openssl);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            deleteRecursively(dir);
            if (e instanceof ServerProcessException s) {
                throw s;
            }
            throw new ServerProcessException("cannot generate test certificates in " + dir + ": " + e, e);
        }
    }

    /**
     * The CA certificate (PEM) that clients trust.
     *
     * @return the file's path
     */
    public Path caFile() {
        return caFile;
    }

    /**
     * {@link #caFile()} as a PKCS#12 trust store, for Java clients.
     *
     * @return the file's path
     */
    public Path trustStore() {
        return trustStore;
    }

    /**
     * The password of {@link #trustStore()} (random per instance).
     *
     * @return a copy of the password
     */
    public char[] trustStorePassword() {
        return trustStorePassword.clone();
    }

    /**
     * A certificate from {@link #caFile()} for {@code 127.0.0.1} and {@code localhost}.
     *
     * @return the certificate, its key and its CA
     */
    public ServerCertificate server() {
        return server;
    }

    /**
     * A certificate from {@link #caFile()} that names only {@value #WRONG_HOST}.
     *
     * @return the certificate, its key and its CA
     */
    public ServerCertificate wrongHost() {
        return wrongHost;
    }

    /**
     * A certificate for {@code 127.0.0.1} and {@code localhost} from a CA other than
     * {@link #caFile()}, which nothing trusts.
     *
     * @return the certificate, its key and its (untrusted) CA
     */
    public ServerCertificate untrusted() {
        return untrusted;
    }

    /**
     * An {@link SSLContext} that trusts {@link #caFile()} only, for test clients.
     *
     * @return a new, initialized context
     */
    public SSLContext clientContext() {
        return trusting(caFile);
    }

    /** Deletes the directory with every key and certificate. Idempotent. */
    @Override
    public void close() {
        deleteRecursively(dir);
    }

    @Override
    public String toString() {
        return "TestCertificates[" + dir + "]";
    }

    /**
     * A server's certificate chain, its private key (unencrypted PKCS#8 PEM) and the CA that
     * signed it.
     *
     * @param certFile the server certificate (PEM)
     * @param keyFile the server's private key (PEM)
     * @param caFile the certificate of the CA that issued it (PEM)
     * @since 0.1.0
     */
    public record ServerCertificate(Path certFile, Path keyFile, Path caFile) {
        /**
         * @throws NullPointerException if a path is null
         */
        public ServerCertificate {
            Objects.requireNonNull(certFile, "certFile");
            Objects.requireNonNull(keyFile, "keyFile");
            Objects.requireNonNull(caFile, "caFile");
        }
    }

    /** An SSL context trusting the CA certificates in a PEM file (for readiness probes and tests). */
    static SSLContext trusting(Path caPem) {
        return io.geows.spi.TrustStores.context(io.geows.spi.TrustStores.pem(caPem));
    }

    // ------------------------------------------------------------------ generation

    private Path ca(String name) throws IOException {
        Path key = dir.resolve(name + ".key");
        Path cert = dir.resolve(name + ".pem");
        run("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2",
                "-set_serial", "0x" + randomHex(16),
                "-subj", "/O=geows tests/CN=" + name + " " + randomHex(4),
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return cert;
    }

    private ServerCertificate serverCertificate(String name, String caName, String subjectAltNames) throws IOException {
        Path key = dir.resolve(name + ".key");
        Path csr = dir.resolve(name + ".csr");
        Path cert = dir.resolve(name + ".pem");
        Path ext = dir.resolve(name + ".ext");
        Files.writeString(ext, "subjectAltName=" + subjectAltNames + "\n"
                + "basicConstraints=critical,CA:FALSE\n"
                + "keyUsage=critical,digitalSignature\n"
                + "extendedKeyUsage=serverAuth\n", StandardCharsets.US_ASCII);
        run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/O=geows tests/CN=" + name);
        Path caCert = dir.resolve(caName + ".pem");
        run("x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(),
                "-CAkey", dir.resolve(caName + ".key").toString(), "-set_serial", "0x" + randomHex(16),
                "-days", "2", "-extfile", ext.toString(), "-out", cert.toString());
        Files.delete(csr);
        Files.delete(ext);
        return new ServerCertificate(cert, key, caCert);
    }

    private void run(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(openssl.toString());
        command.addAll(List.of(args));
        Path output = dir.resolve("openssl.out");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        // no config file lookups outside the test's control
        Map<String, String> env = builder.environment();
        env.remove("OPENSSL_CONF");
        Process p = builder.start();
        try {
            if (!p.waitFor(OPENSSL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ServerProcessException("openssl " + args[0] + " did not finish within "
                        + OPENSSL_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ServerProcessException("interrupted while generating test certificates", e);
        }
        if (p.exitValue() != 0) {
            throw new ServerProcessException("openssl " + String.join(" ", args) + " failed with exit code "
                    + p.exitValue() + ":\n" + Files.readString(output, StandardCharsets.UTF_8));
        }
    }

    private static void writeTrustStore(Path caPem, Path file, char[] password) throws IOException,
            GeneralSecurityException {
        KeyStore store = io.geows.spi.TrustStores.pem(caPem);
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password);
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        b[0] &= 0x7f; // a positive serial number
        String hex = new BigInteger(1, b).toString(16);
        return "0".repeat(bytes * 2 - hex.length()) + hex;
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // best effort: the directory is temporary
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
