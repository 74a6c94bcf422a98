package io.geows.spi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Trust material from files, for adapters and clients that open TLS connections: the certificates of
 * a PEM file, a PKCS12 or JKS trust store, and a TLS context that trusts what they hold. Errors are
 * {@link IllegalArgumentException}s naming the file.
 *
 * @since 0.1.0
 */
public final class TrustStores {
    private TrustStores() {
    }

    /**
     * Checks, when a builder is given a trust file, that it is there to read, so that a wrong path
     * fails where it is set rather than at the first connection.
     *
     * @param option the builder option, for the message ({@code "trustedCertificates"})
     * @param file   the file
     * @return {@code file}
     * @throws NullPointerException     when {@code file} is null
     * @throws IllegalArgumentException {@code option(file): not a readable file}
     */
    public static Path readableFile(String option, Path file) {
        java.util.Objects.requireNonNull(file, option);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(option + "(" + file + "): not a readable file");
        }
        return file;
    }

    /**
     * The certificates of a PEM file ({@code -----BEGIN CERTIFICATE-----} blocks), in order.
     *
     * @throws IllegalArgumentException when the file cannot be read or holds no certificate
     */
    public static List<Certificate> certificates(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            List<Certificate> certs = new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("no certificate in " + pem);
            }
            return certs;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the certificates in " + pem + ": " + e.getMessage(), e);
        }
    }

    /**
     * A trust store holding the certificates of a PEM file (a CA, or several).
     *
     * @throws IllegalArgumentException when the file cannot be read or holds no certificate
     */
    public static KeyStore pem(Path pem) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certificates(pem)) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot make a trust store of " + pem + ": " + e.getMessage(), e);
        }
    }

    /**
     * A PKCS12 or JKS trust store file.
     *
     * @throws IllegalArgumentException when it cannot be read (a wrong password reads as a broken file)
     */
    public static KeyStore load(Path file, char[] password) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance("PKCS12"); // reads JKS too (keystore.type.compat)
            ks.load(in, password);
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load the trust store " + file + ": " + e.getMessage()
                    + " (a wrong password reads as a broken file)", e);
        }
    }

    /**
     * A TLS client context trusting exactly the certificates of {@code trusted}, or the JDK's CAs when
     * it is {@code null}.
     *
     * @throws IllegalArgumentException when the JDK cannot make one of it
     */
    public static SSLContext context(KeyStore trusted) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot make a TLS context of these certificates: " + e.getMessage(), e);
        }
    }
}
