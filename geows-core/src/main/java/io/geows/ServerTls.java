package io.geows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Key material for serving {@code wss://}: a PKCS12 key store, or PEM files (certificate chain and an
 * unencrypted PKCS#8 private key, as {@code openssl genpkey} and most ACME clients write them). Read
 * and checked when created, so a wrong path or password fails at configuration time.
 *
 * <pre>{@code
 * GeoWsNode.builder().tls(ServerTls.pem(Path.of("fullchain.pem"), Path.of("privkey.pem")))
 * }</pre>
 *
 * @since 0.1.0
 */
public final class ServerTls {
    private final SSLContext context;
    private final String description;

    private ServerTls(SSLContext context, String description) {
        this.context = context;
        this.description = description;
    }

    /**
     * From a PKCS12 file holding the key and its certificate chain.
     *
     * @throws IllegalArgumentException when the file cannot be read or the password is wrong
     */
    public static ServerTls pkcs12(Path file, char[] password) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(password, "password");
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            return new ServerTls(context(ks, password), "PKCS12 " + file);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load the PKCS12 key store " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * From PEM files: the certificate chain (server certificate first) and its private key
     * ({@code -----BEGIN PRIVATE KEY-----}, RSA or EC).
     *
     * @throws IllegalArgumentException when a file cannot be read or holds something else
     */
    public static ServerTls pem(Path certificateChain, Path privateKey) {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
        Certificate[] chain = io.geows.spi.TrustStores.certificates(certificateChain).toArray(new Certificate[0]);
        PrivateKey key = privateKey(privateKey);
        try {
            char[] password = new char[0];
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("geows", key, password, chain);
            return new ServerTls(context(ks, password), "PEM " + certificateChain);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("the key in " + privateKey + " does not fit the certificate in "
                    + certificateChain + ": " + e.getMessage(), e);
        }
    }

    /** The TLS context for the WebSocket server; for the node. */
    SSLContext sslContext() {
        return context;
    }

    @Override
    public String toString() {
        return "ServerTls[" + description + "]";
    }

    private static PrivateKey privateKey(Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the private key " + file + ": " + e.getMessage(), e);
        }
        String begin = "-----BEGIN PRIVATE KEY-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf("-----END PRIVATE KEY-----");
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("the file " + file + " holds no unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----); "
                    + "convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to)));
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("the key in " + file + " is neither RSA, EC nor Ed25519");
    }

    private static SSLContext context(KeyStore ks, char[] password) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }
}
