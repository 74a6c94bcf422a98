package io.geows.example;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.geows.AuthenticationException;
import io.geows.Authenticator;
import io.geows.Identity;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Date;
import java.util.Map;

/**
 * The reference server's token check when {@code --token-secret} is set: an HS256 JWT signed with the
 * secret, with {@code sub} as the user id and {@code exp} required (30 s clock skew). Other algorithms
 * ({@code none} included) are refused. A fuller authenticator (RSA/EC keys, JWKS, issuer and audience,
 * refresh) belongs in the library.
 */
final class JwtAuthenticator implements Authenticator {
    private static final long SKEW_MILLIS = 30_000;
    private final MACVerifier verifier;

    JwtAuthenticator(String secret) {
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        if (key.length < 32) {
            throw new ServerConfig.BadFlag("--token-secret must be at least 32 bytes (HS256), was " + key.length);
        }
        try {
            this.verifier = new MACVerifier(key);
        } catch (JOSEException e) {
            throw new ServerConfig.BadFlag("--token-secret is not usable: " + e.getMessage());
        }
    }

    @Override
    public Identity authenticate(String token) {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            throw new AuthenticationException("token is not a signed JWT");
        }
        if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
            throw new AuthenticationException("token must be signed with HS256");
        }
        try {
            if (!jwt.verify(verifier)) {
                throw new AuthenticationException("token signature does not verify");
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            long now = System.currentTimeMillis();
            Date exp = claims.getExpirationTime();
            if (exp == null || exp.getTime() + SKEW_MILLIS < now) {
                throw new AuthenticationException("token is expired or has no exp");
            }
            Date nbf = claims.getNotBeforeTime();
            if (nbf != null && nbf.getTime() - SKEW_MILLIS > now) {
                throw new AuthenticationException("token is not valid yet");
            }
            String sub = claims.getSubject();
            if (sub == null || sub.isBlank()) {
                throw new AuthenticationException("token has no sub");
            }
            return new Identity(sub, Map.of());
        } catch (JOSEException | ParseException e) {
            throw new AuthenticationException("token could not be checked");
        }
    }
}
