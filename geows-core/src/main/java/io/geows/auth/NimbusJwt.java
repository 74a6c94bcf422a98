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
 * {@link JwtAuthenticator}'s work, on nimbus-jose-jwt. Kept apart so that {@link JwtAuthenticator}
 * itself loads without the library and can say which artifact is missing.
 */
final class NimbusJwt implements Authenticator {
    private final DefaultJWTProcessor<SecurityContext> processor;
    private final Duration clockSkew;

    NimbusJwt(Object keySet, boolean hmac, String issuer, String audience, Duration skew) {
        JWKSource<SecurityContext> keys = new ImmutableJWKSet<>((JWKSet) keySet);
        Set<JWSAlgorithm> algorithms = new HashSet<>();
        if (hmac) {
            algorithms.addAll(JWSAlgorithm.Family.HMAC_SHA);
        } else {
            algorithms.addAll(JWSAlgorithm.Family.RSA);
            algorithms.addAll(JWSAlgorithm.Family.EC);
        }
        clockSkew = skew;
        processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        if (issuer != null) {
            exact.issuer(issuer);
        }
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                audience, exact.build(), Set.of("sub", "exp"));
        claims.setMaxClockSkew((int) skew.toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
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

    /** A key set of one HMAC secret. */
    static Object hmacKeys(byte[] secret) {
        return new JWKSet(new com.nimbusds.jose.jwk.OctetSequenceKey.Builder(secret).build());
    }

    /** The keys of a JWKS file. */
    static Object jwksFile(Path file) {
        try {
            JWKSet keys = JWKSet.load(file.toFile());
            if (keys.getKeys().isEmpty()) {
                throw new IllegalArgumentException("the JWKS file " + file + " holds no key");
            }
            return keys;
        } catch (IOException | ParseException e) {
            throw new IllegalArgumentException("cannot read the JWKS file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The key of a PEM public key file. */
    static Object publicKeyPem(Path file) {
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
        return new JWKSet(publicJwk(der, file));
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

}
