package io.geows.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The generated certificates, read back with the JDK, and used by real TLS servers. */
class TestCertificatesIntegrationTests {

    @Test
    void theServerCertificateNamesLoopbackAndChainsToTheCaInTheTrustStore() throws Exception {
        Path dir;
        try (TestCertificates certs = TestCertificates.generate()) {
            X509Certificate ca = read(certs.caFile());
            X509Certificate server = read(certs.server().certFile());
            dir = certs.caFile().getParent();

            server.verify(ca.getPublicKey());
            server.checkValidity();
            assertThat(server.getSubjectAlternativeNames())
                    .contains(List.of(7, "127.0.0.1"), List.of(2, "localhost"));
            assertThat(ca.getBasicConstraints()).isNotNegative();
            assertThat(certs.server().caFile()).isEqualTo(certs.caFile());
            assertThat(Files.readString(certs.server().keyFile())).startsWith("-----BEGIN PRIVATE KEY-----");

            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(certs.trustStore())) {
                store.load(in, certs.trustStorePassword());
            }
            assertThat(store.getCertificate(store.aliases().nextElement())).isEqualTo(ca);
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void theNegativeCertificatesAreWrongInExactlyOneWay() throws Exception {
        try (TestCertificates certs = TestCertificates.generate()) {
            X509Certificate ca = read(certs.caFile());
            X509Certificate wrongHost = read(certs.wrongHost().certFile());
            wrongHost.verify(ca.getPublicKey());
            assertThat(wrongHost.getSubjectAlternativeNames()).containsExactly(List.of(2, TestCertificates.WRONG_HOST));

            X509Certificate untrusted = read(certs.untrusted().certFile());
            assertThat(certs.untrusted().caFile()).isNotEqualTo(certs.caFile());
            untrusted.verify(read(certs.untrusted().caFile()).getPublicKey());
            assertThat(untrusted.getIssuerX500Principal()).isNotEqualTo(ca.getSubjectX500Principal());
            assertThat(untrusted.getSubjectAlternativeNames())
                    .contains(List.of(7, "127.0.0.1"), List.of(2, "localhost"));
        }
    }

    @Test
    void everyInstanceHasItsOwnCa() throws Exception {
        try (TestCertificates a = TestCertificates.generate(); TestCertificates b = TestCertificates.generate()) {
            assertThat(read(a.caFile()).getPublicKey()).isNotEqualTo(read(b.caFile()).getPublicKey());
        }
    }

    private static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
