package io.geows.auth;

import io.geows.Authenticator;
import io.geows.GeoWsException;
import io.geows.Identity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Checks {@code hello} tokens as signed JWTs: the signature (HMAC with a shared secret, or RSA / EC
 * keys from a JWKS file), the expiry (required), not-before, issuer and audience, with a small clock
 * skew. The user id is {@code sub}; every other claim is passed on in {@link Identity#claims()} (for
 * a room authorizer, say). Unsigned tokens ({@code alg: none}) and algorithms the keys are not for
 * are refused.
 *
 * <pre>{@code
 * Authenticator auth = JwtAuthenticator.builder()
 *         .jwksFile(Path.of("/etc/geows/jwks.json"))
 *         .issuer("https://auth.example.com/")
 *         .audience("geows")
 *         .build();
 * }</pre>
 *
 * <p>Needs {@code com.nimbusds:nimbus-jose-jwt} on the class path (its version is managed by
 * {@code geows-bom}); without it {@link #builder()} throws a {@link GeoWsException} that names the
 * dependency to add. Thread-safe.
 *
 * @since 0.1.0
 */
public final class JwtAuthenticator implements Authenticator {
    /** Clock skew tolerated on {@code exp} and {@code nbf}: 30 seconds. */
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
    /** The library this authenticator needs, as Maven coordinates: {@value}. */
    static final String LIBRARY = "com.nimbusds:nimbus-jose-jwt";

    private final Authenticator verifier;

    private JwtAuthenticator(Builder b) {
        this.verifier = new NimbusJwt(b.keys, b.hmac, b.issuer, b.audience, b.clockSkew);
    }

    /**
     * A builder: give it an HMAC secret, a JWKS file or a PEM public key.
     *
     * @throws GeoWsException when {@code nimbus-jose-jwt} is not on the class path, naming the dependency to add
     */
    public static Builder builder() {
        try {
            Class.forName("com.nimbusds.jwt.JWTClaimsSet", false, JwtAuthenticator.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new GeoWsException("JwtAuthenticator needs " + LIBRARY + " on the class path, and it is not there: add "
                    + "<dependency><groupId>com.nimbusds</groupId><artifactId>nimbus-jose-jwt</artifactId></dependency> "
                    + "(its version is managed by io.geows:geows-bom), or use an Authenticator of your own", e);
        }
        return new Builder();
    }

    @Override
    public Identity authenticate(String token) {
        return verifier.authenticate(token);
    }

    /** Builds a {@link JwtAuthenticator}. Not thread-safe. */
    public static final class Builder {
        private Object keys;
        private boolean hmac;
        private String issuer;
        private String audience;
        private Duration clockSkew = DEFAULT_CLOCK_SKEW;

        private Builder() {
        }

        /** Tokens are signed with HMAC (HS256/384/512) using this shared secret (at least 32 bytes). */
        public Builder hmacSecret(byte[] secret) {
            Objects.requireNonNull(secret, "secret");
            if (secret.length < 32) {
                throw new IllegalArgumentException("an HMAC secret must be at least 32 bytes (256 bits), was " + secret.length);
            }
            this.keys = NimbusJwt.hmacKeys(secret);
            this.hmac = true;
            return this;
        }

        /**
         * Tokens are signed with RSA or EC keys from this JWKS (JSON Web Key Set) file.
         *
         * @throws IllegalArgumentException when the file cannot be read or holds no key
         */
        public Builder jwksFile(Path file) {
            this.keys = NimbusJwt.jwksFile(Objects.requireNonNull(file, "file"));
            this.hmac = false;
            return this;
        }

        /**
         * Tokens are signed with the private half of this RSA or EC public key, read from a PEM file
         * ({@code -----BEGIN PUBLIC KEY-----}, as {@code openssl pkey -pubout} writes it).
         *
         * @throws IllegalArgumentException when the file cannot be read or holds no such key
         */
        public Builder publicKeyPem(Path file) {
            this.keys = NimbusJwt.publicKeyPem(Objects.requireNonNull(file, "file"));
            this.hmac = false;
            return this;
        }

        /** The required {@code iss}; default: not checked. */
        public Builder issuer(String issuer) {
            this.issuer = Objects.requireNonNull(issuer, "issuer");
            return this;
        }

        /** The required {@code aud} (one of the token's audiences); default: not checked. */
        public Builder audience(String audience) {
            this.audience = Objects.requireNonNull(audience, "audience");
            return this;
        }

        /** Clock skew tolerated on expiry and not-before; default {@link #DEFAULT_CLOCK_SKEW}. */
        public Builder clockSkew(Duration skew) {
            Objects.requireNonNull(skew, "skew");
            if (skew.isNegative() || skew.toMinutes() > 10) {
                throw new IllegalArgumentException("clockSkew must be 0..10 minutes, was " + skew);
            }
            this.clockSkew = skew;
            return this;
        }

        /**
         * Builds the authenticator.
         *
         * @throws IllegalStateException when no key was given
         */
        public JwtAuthenticator build() {
            if (keys == null) {
                throw new IllegalStateException("give a key: hmacSecret(...), jwksFile(...) or publicKeyPem(...)");
            }
            return new JwtAuthenticator(this);
        }
    }
}
