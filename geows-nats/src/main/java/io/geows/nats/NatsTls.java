package io.geows.nats;

import io.geows.spi.TrustStores;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The {@link SSLContext} of a URL-built connection: the trust of {@link NatsBroker.Builder} (a PEM
 * file, a trust store, or the JDK's CAs) with host name verification switched on. jnats opens its
 * TLS sockets with {@code SSLContext.getSocketFactory().createSocket(socket, host, port, true)} and
 * sets no endpoint identification, so without this a certificate for any host, signed by a trusted
 * CA, would be accepted; the context here hands out sockets that check the host as HTTPS does.
 */
final class NatsTls {
    private NatsTls() {
    }

    /**
     * The context for these options, or {@code null} when the connection does not use TLS (no trust
     * option and no {@code tls://} or {@code wss://} URL).
     *
     * @throws IllegalArgumentException when the trust material cannot be read, naming the file
     */
    static SSLContext context(NatsSettings options) {
        Path pem = options.trustedCertificates();
        Path store = options.trustStore();
        if (pem == null && store == null && !NatsUrls.requiresTls(options.url())) {
            return null;
        }
        try {
            return verifyingHosts(TrustStores.context(pem != null ? TrustStores.pem(pem)
                    : store != null ? TrustStores.load(store, options.trustStorePassword()) : null));
        } catch (IllegalArgumentException e) {
            String option = pem != null ? "trustedCertificates(" + pem + ")" : store != null ? "trustStore(" + store + ")"
                    : "the JDK's default CAs";
            throw new IllegalArgumentException(option + " for NATS: " + e.getMessage(), e);
        }
    }

    /** The context, handing out client sockets and engines that verify the server's host name. */
    static SSLContext verifyingHosts(SSLContext context) {
        return new VerifyingContext(context);
    }

    private static <T> T verifying(T socketOrEngine) {
        if (socketOrEngine instanceof SSLSocket s) {
            s.setSSLParameters(withHostCheck(s.getSSLParameters()));
        } else if (socketOrEngine instanceof SSLEngine e) {
            e.setSSLParameters(withHostCheck(e.getSSLParameters()));
        }
        return socketOrEngine;
    }

    private static SSLParameters withHostCheck(SSLParameters p) {
        p.setEndpointIdentificationAlgorithm("HTTPS");
        return p;
    }

    private static final class VerifyingContext extends SSLContext {
        VerifyingContext(SSLContext delegate) {
            super(new Spi(delegate), delegate.getProvider(), delegate.getProtocol());
        }
    }

    private static final class Spi extends SSLContextSpi {
        private final SSLContext delegate;

        Spi(SSLContext delegate) {
            this.delegate = delegate;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) throws KeyManagementException {
            throw new KeyManagementException("already initialized");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return new Factory(delegate.getSocketFactory());
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return delegate.getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return delegate.createSSLEngine(); // no peer host to verify against
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            SSLEngine engine = delegate.createSSLEngine(host, port);
            engine.setUseClientMode(true);
            return verifying(engine);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return delegate.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return delegate.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return delegate.getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return delegate.getSupportedSSLParameters();
        }
    }

    private static final class Factory extends SSLSocketFactory {
        private final SSLSocketFactory delegate;

        Factory(SSLSocketFactory delegate) {
            this.delegate = delegate;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket() throws IOException {
            return verifying(delegate.createSocket());
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return verifying(delegate.createSocket(s, host, port, autoClose));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return verifying(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return verifying(delegate.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return verifying(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return verifying(delegate.createSocket(address, port, localAddress, localPort));
        }
    }
}
