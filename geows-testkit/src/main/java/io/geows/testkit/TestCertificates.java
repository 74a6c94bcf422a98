package io.geows.testkit;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.Objects;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;

/**
 * A throw-away certificate authority and server certificates, generated in-process (Bouncy Castle)
 * when a test starts, for brokers that speak TLS ({@link RedisServer.Builder#tls},
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
 * Keys are EC P-256 (unencrypted PKCS#8 PEM), certificates valid for two days.
 *
 * <p>Thread-safe (immutable after {@link #generate()}).
 *
 * @since 0.1.0
 */
public final class TestCertificates implements AutoCloseable {

    /** The only host name in {@link #wrongHost()}'s certificate: {@value}. */
    public static final String WRONG_HOST = "wrong-host.invalid";

    private static final GeneralName[] LOOPBACK_NAMES = {
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")};

    private final Path dir;
    private final Path caFile;
    private final Path trustStore;
    private final char[] trustStorePassword;
    private final ServerCertificate server;
    private final ServerCertificate wrongHost;
    private final ServerCertificate untrusted;

    private TestCertificates(Path dir) throws IOException, GeneralSecurityException {
        this.dir = dir;
        Issuer ca = ca("ca");
        this.caFile = ca.certFile;
        this.server = serverCertificate("server", ca, LOOPBACK_NAMES);
        this.wrongHost = serverCertificate("wrong-host", ca, new GeneralName(GeneralName.dNSName, WRONG_HOST));
        this.untrusted = serverCertificate("untrusted-server", ca("untrusted-ca"), LOOPBACK_NAMES);
        this.trustStorePassword = randomHex(8).toCharArray();
        this.trustStore = dir.resolve("truststore.p12");
        writeTrustStore(caFile, trustStore, trustStorePassword);
    }

    /**
     * Generates a CA and the server certificates in a new temporary directory.
     *
     * @return the certificates; close them to delete the directory
     * @throws ServerProcessException if they cannot be made or written
     */
    public static TestCertificates generate() {
        Path dir;
        try {
            dir = Files.createTempDirectory("geows-certs-");
        } catch (IOException e) {
            throw new ServerProcessException("cannot create a temporary directory for test certificates"
                    + " (is java.io.tmpdir writable?)", e);
        }
        try {
            return new TestCertificates(dir);
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

    /**
     * The server certificate and its key as a PKCS#12 key store (for servers that read one, such as a
     * node's {@code ServerTls.pkcs12}).
     *
     * @param certificate one of this instance's certificates
     * @param password    the store's password
     * @return the file, in this instance's directory
     */
    public Path keyStore(ServerCertificate certificate, char[] password) {
        try {
            String pem = Files.readString(certificate.keyFile(), StandardCharsets.US_ASCII);
            byte[] der = java.util.Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").trim());
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, password,
                    io.geows.spi.TrustStores.certificates(certificate.certFile()).toArray(new java.security.cert.Certificate[0]));
            Path file = dir.resolve(certificate.certFile().getFileName().toString().replace(".pem", "") + ".p12");
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password);
            }
            return file;
        } catch (IOException | GeneralSecurityException e) {
            throw new ServerProcessException("cannot write a PKCS12 key store of " + certificate.certFile() + ": " + e, e);
        }
    }

    // ------------------------------------------------------------------ generation

    /** A CA: its files, and what signs with it. */
    private record Issuer(Path certFile, X509CertificateHolder cert, KeyPair keys) {
    }

    private static KeyPair ecKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private Issuer ca(String name) throws IOException, GeneralSecurityException {
        KeyPair keys = ecKeyPair();
        X500Name subject = new X500Name("O=geows tests,CN=" + name + " " + randomHex(4));
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(), notBefore(), notAfter(), subject,
                keys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
        X509CertificateHolder cert = sign(b, keys);
        Path file = dir.resolve(name + ".pem");
        writePem(file, "CERTIFICATE", cert.getEncoded());
        writePem(dir.resolve(name + ".key"), "PRIVATE KEY", keys.getPrivate().getEncoded());
        return new Issuer(file, cert, keys);
    }

    private ServerCertificate serverCertificate(String name, Issuer ca, GeneralName... names)
            throws IOException, GeneralSecurityException {
        KeyPair keys = ecKeyPair();
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.cert().getSubject(), serial(), notBefore(),
                notAfter(), new X500Name("O=geows tests,CN=" + name), keys.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names))
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()))
                .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.cert()));
        Path cert = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + ".key");
        writePem(cert, "CERTIFICATE", sign(b, ca.keys()).getEncoded());
        writePem(key, "PRIVATE KEY", keys.getPrivate().getEncoded());
        return new ServerCertificate(cert, key, ca.certFile());
    }

    private static X509CertificateHolder sign(X509v3CertificateBuilder b, KeyPair signer) throws GeneralSecurityException {
        try {
            return b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate()));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(randomHex(16), 16);
    }

    private static Date notBefore() {
        return new Date(System.currentTimeMillis() - 60_000); // a minute of clock skew
    }

    private static Date notAfter() {
        return new Date(System.currentTimeMillis() + 2L * 24 * 3600 * 1000);
    }

    private static void writePem(Path file, String type, byte[] der) throws IOException {
        String body = java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        Files.writeString(file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n",
                StandardCharsets.US_ASCII);
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
