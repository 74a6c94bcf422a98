package io.geows.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.geows.AuthenticationException;
import io.geows.Authenticator;
import io.geows.Identity;
import io.geows.TokenExpiredException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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
 * <p>Needs {@code com.nimbusds:nimbus-jose-jwt} on the class path. Thread-safe.
 *
 * @since 0.1.0
 */
public final class JwtAuthenticator implements Authenticator {
    /** Clock skew tolerated on {@code exp} and {@code nbf}: 30 seconds. */
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);

    private final DefaultJWTProcessor<SecurityContext> processor;
    private final Duration clockSkew;

    private JwtAuthenticator(Builder b) {
        JWKSource<SecurityContext> keys = new ImmutableJWKSet<>(b.keys);
        Set<JWSAlgorithm> algorithms = new HashSet<>();
        if (b.hmac) {
            algorithms.addAll(JWSAlgorithm.Family.HMAC_SHA);
        } else {
            algorithms.addAll(JWSAlgorithm.Family.RSA);
            algorithms.addAll(JWSAlgorithm.Family.EC);
        }
        clockSkew = b.clockSkew;
        processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        if (b.issuer != null) {
            exact.issuer(b.issuer);
        }
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                b.audience, exact.build(), Set.of("sub", "exp"));
        claims.setMaxClockSkew((int) b.clockSkew.toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    /** A builder: give it an HMAC secret or a JWKS file. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Identity authenticate(String token) {
        if (token == null || token.isBlank()) {
            throw new AuthenticationException("token missing");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw new AuthenticationException("token is not a signed JWT");
        } catch (BadJOSEException e) {
            if (e instanceof ExpiredJWTException) {
                // Claims are checked after the signature: this is a genuine token, only too old.
                throw new TokenExpiredException("token expired (exp plus " + clockSkew.toSeconds() + " s of clock skew has passed)");
            }
            // The library's message says which check failed (audience, signature...), not secrets.
            throw new AuthenticationException("token refused: " + e.getMessage());
        } catch (JOSEException e) {
            throw new AuthenticationException("token could not be verified");
        }
        Map<String, Object> rest = new HashMap<>(claims.getClaims());
        rest.remove("sub");
        rest.values().removeIf(Objects::isNull);
        rest.remove("exp");
        // The session lasts as long as this authenticator would accept the token: exp plus the skew.
        return new Identity(claims.getSubject(), rest, claims.getExpirationTime().toInstant().plus(clockSkew));
    }

    /** Builds a {@link JwtAuthenticator}. Not thread-safe. */
    public static final class Builder {
        private JWKSet keys;
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
            this.keys = new JWKSet(new com.nimbusds.jose.jwk.OctetSequenceKey.Builder(secret).build());
            this.hmac = true;
            return this;
        }

        /** Tokens are signed with RSA or EC keys from this JWKS (JSON Web Key Set) file. */
        public Builder jwksFile(Path file) {
            Objects.requireNonNull(file, "file");
            try {
                this.keys = JWKSet.load(file.toFile());
            } catch (IOException | ParseException e) {
                throw new IllegalArgumentException("cannot read the JWKS file " + file + ": " + e.getMessage(), e);
            }
            this.hmac = false;
            return this;
        }

        /**
         * Tokens are signed with the private half of this RSA or EC public key, read from a PEM file
         * ({@code -----BEGIN PUBLIC KEY-----}, as {@code openssl pkey -pubout} writes it).
         */
        public Builder publicKeyPem(Path file) {
            Objects.requireNonNull(file, "file");
            byte[] der;
            try {
                String pem = Files.readString(file, StandardCharsets.US_ASCII);
                int begin = pem.indexOf("-----BEGIN PUBLIC KEY-----");
                int end = pem.indexOf("-----END PUBLIC KEY-----");
                if (begin < 0 || end < begin) {
                    throw new IllegalArgumentException("the file " + file + " holds no PEM public key (-----BEGIN PUBLIC KEY-----)");
                }
                der = Base64.getMimeDecoder().decode(pem.substring(begin + "-----BEGIN PUBLIC KEY-----".length(), end));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the public key file " + file + ": " + e.getMessage(), e);
            }
            this.keys = new JWKSet(publicJwk(der, file));
            this.hmac = false;
            return this;
        }

        private static JWK publicJwk(byte[] der, Path file) {
            X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
            try {
                return new RSAKey.Builder((RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(spec)).build();
            } catch (GeneralSecurityException notRsa) {
                try {
                    ECPublicKey ec = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(spec);
                    return new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec).build();
                } catch (GeneralSecurityException | RuntimeException notEc) {
                    throw new IllegalArgumentException("the file " + file + " holds neither an RSA nor an EC public key");
                }
            }
        }

        /** Tokens are signed with RSA or EC keys from this key set. */
        public Builder keys(JWKSet keys) {
            this.keys = Objects.requireNonNull(keys, "keys");
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
            if (keys == null || keys.getKeys().isEmpty()) {
                throw new IllegalStateException("give a key: hmacSecret(...), jwksFile(...) or keys(...)");
            }
            return new JwtAuthenticator(this);
        }
    }
}
