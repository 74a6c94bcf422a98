package io.geows.redis;

import io.geows.GeoWsException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.StaticCredentialsProvider;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLException;
import org.slf4j.LoggerFactory;

/**
 * TLS trust, credentials and the messages for failed connections: what {@link RedisBroker.Builder}'s
 * security options become in Lettuce, kept out of the adapter itself.
 */
final class RedisSecurity {
    private RedisSecurity() {
    }

    /** The Lettuce TLS options for a private CA, or {@code null} for the JDK's default trust. */
    static SslOptions sslOptions(Path trustedCertificates, Path trustStore, char[] trustStorePassword) {
        if (trustedCertificates != null) {
            return SslOptions.builder().jdkSslProvider().trustManager(trustedCertificates.toFile()).build();
        }
        if (trustStore != null) {
            return SslOptions.builder().jdkSslProvider()
                    .truststore(SslOptions.Resource.from(trustStore.toFile()), trustStorePassword.clone()).build();
        }
        return null;
    }

    /** The URI with these credentials, when given. */
    static RedisURI withCredentials(RedisURI uri, String username, char[] password) {
        if (username != null) {
            uri.setCredentialsProvider(new StaticCredentialsProvider(username, password.clone()));
        }
        return uri;
    }

    /** Whether a {@code redis://} URI carries credentials before its host. */
    static boolean hasUserInfo(String uri) {
        try {
            return URI.create(uri).getRawUserInfo() != null;
        } catch (IllegalArgumentException e) {
            return uri.indexOf('@') >= 0; // let Lettuce report the syntax; '@' can only be user info
        }
    }

    /** Whether a URI asks for TLS. */
    static boolean isTls(String uri) {
        return uri.startsWith("rediss://");
    }

    /** Whether host name verification was turned off (through {@code verifyPeer} in the URI). */
    static boolean verifiesHost(RedisURI uri) {
        return !uri.isSsl() || uri.getVerifyMode() == SslVerifyMode.FULL;
    }

    /** Logs, once per broker, that TLS to this URI will not check the server's host name. */
    static void warnIfHostUnverified(RedisURI uri, String address) {
        if (!verifiesHost(uri)) {
            LoggerFactory.getLogger(RedisBroker.class).warn("TLS to Redis at {} does not verify the host name"
                    + " (verifyPeer={} in the URI): anyone with a certificate from a trusted CA can pose as this server",
                    address, uri.getVerifyMode());
        }
    }

    /**
     * Why connecting failed, in words that lead to the fix: refused credentials and failed TLS
     * handshakes are told apart from an unreachable server, since neither gets better by retrying.
     * Never includes the password (Lettuce's messages do not carry it, and the address has none).
     */
    static GeoWsException connectFailure(String address, Throwable e) {
        Throwable cause = (e instanceof ExecutionException || e instanceof CompletionException) && e.getCause() != null
                ? e.getCause() : e;
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RedisCommandExecutionException && t.getMessage() != null) {
                String m = t.getMessage();
                if (m.startsWith("NOAUTH")) {
                    return new GeoWsException("Redis at " + address + " requires a login (" + m + ") - give an ACL"
                            + " user and password (redis://user:password@host:port or credentials(...));"
                            + " set GEOWS_BROKER", cause);
                }
                if (m.startsWith("WRONGPASS") || m.startsWith("NOPERM")) {
                    return new GeoWsException("Redis at " + address + " refused the login (" + m + ") - check the"
                            + " user and password (redis://user:password@host:port or credentials(...));"
                            + " set GEOWS_BROKER", cause);
                }
            }
            if (t instanceof SSLException || t instanceof CertificateException) {
                return new GeoWsException("TLS handshake with Redis at " + address + " failed (" + t.getMessage()
                        + ") - the server's certificate must come from a CA you trust (trustedCertificates(...)"
                        + " or trustStore(...) for a private CA) and name the host you connect to", cause);
            }
        }
        return new GeoWsException("cannot reach Redis at " + address + " (" + cause.getMessage()
                + ") - is it running and reachable? check the URI (set GEOWS_BROKER), credentials and TLS", cause);
    }
}
