package io.geows.nats;

import io.geows.BrokerUnavailableException;
import io.geows.GeoWsException;
import io.nats.client.AuthenticationException;
import java.io.IOException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;

/**
 * Why a connection could not be made, in words that lead to the fix. A refused login and a failed
 * TLS handshake are told apart from an unreachable server: neither gets better by retrying, so they
 * are plain {@link GeoWsException}s, not {@link BrokerUnavailableException}s. Messages name the
 * address with its user info redacted and never carry a password or token.
 */
final class NatsConnectErrors {
    private NatsConnectErrors() {
    }

    /**
     * @param address  the redacted address
     * @param e        what {@code Nats.connect} threw
     * @param lastSeen the last exception jnats reported to the error listener while connecting (jnats
     *                 throws only "Unable to connect" when a TLS handshake fails), or {@code null}
     */
    static GeoWsException connectFailure(String address, IOException e, Exception lastSeen) {
        Throwable safe = NatsUrls.redact(e);
        if (e instanceof AuthenticationException) {
            return new GeoWsException("NATS at " + address + " refused the login (" + safe.getMessage() + ") - check"
                    + " the user and password or token (in the URL, credentials(...) or token(...)); set GEOWS_BROKER",
                    safe);
        }
        Throwable tls = tlsFailure(e);
        if (tls == null && lastSeen != null) {
            tls = tlsFailure(lastSeen);
        }
        if (tls != null) {
            Throwable cause = NatsUrls.redact(tls);
            return new GeoWsException("TLS handshake with NATS at " + address + " failed (" + cause.getMessage()
                    + ") - the server's certificate must come from a CA you trust (trustedCertificates(...) or"
                    + " trustStore(...) for a private CA) and name the host you connect to", cause);
        }
        return new BrokerUnavailableException("cannot reach NATS at " + address + " (" + safe.getMessage()
                + ") - is nats-server running there, and are the credentials right? start it with"
                + " 'nats-server -js', or point the broker URL (GEOWS_BROKER) at another server", safe);
    }

    private static Throwable tlsFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException || t instanceof CertificateException) {
                return t;
            }
        }
        return null;
    }
}
