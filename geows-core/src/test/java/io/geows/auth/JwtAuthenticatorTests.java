package io.geows.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.geows.AuthenticationException;
import io.geows.Identity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtAuthenticatorTests {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final long MINUTE = 60_000;

    private static JWTClaimsSet.Builder claims(String sub) {
        long now = System.currentTimeMillis();
        return new JWTClaimsSet.Builder().subject(sub).issuer("https://auth.example/").audience("geows")
                .expirationTime(new Date(now + 10 * MINUTE)).notBeforeTime(new Date(now - MINUTE));
    }

    private static String sign(JWTClaimsSet claims, JWSSigner signer, JWSAlgorithm alg, String kid) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static String hmac(JWTClaimsSet claims) throws Exception {
        return sign(claims, new MACSigner(SECRET), JWSAlgorithm.HS256, null);
    }

    private final JwtAuthenticator auth = JwtAuthenticator.builder().hmacSecret(SECRET)
            .issuer("https://auth.example/").audience("geows").build();

    @Test
    void aValidTokenGivesTheSubjectAndTheOtherClaims() throws Exception {
        Identity id = auth.authenticate(hmac(claims("alice").claim("rooms", List.of("lobby", "team-*")).build()));
        assertThat(id.userId()).isEqualTo("alice");
        assertThat(id.claims()).containsKey("rooms").doesNotContainKey("sub");
    }

    @Test
    void refusedTokens() throws Exception {
        long now = System.currentTimeMillis();
        String expired = hmac(claims("a").expirationTime(new Date(now - 10 * MINUTE)).build());
        String notYet = hmac(claims("a").notBeforeTime(new Date(now + 10 * MINUTE)).build());
        String wrongIssuer = hmac(claims("a").issuer("https://evil.example/").build());
        String wrongAudience = hmac(claims("a").audience("other").build());
        String noExpiry = hmac(new JWTClaimsSet.Builder().subject("a").issuer("https://auth.example/").audience("geows").build());
        String badSignature = sign(claims("a").build(), new MACSigner("another-secret-another-secret-32b".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                JWSAlgorithm.HS256, null);
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(claims("a").build().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)) + ".";
        String expiredAndForged = sign(claims("a").expirationTime(new Date(now - 10 * MINUTE)).build(),
                new MACSigner("another-secret-another-secret-32b".getBytes(java.nio.charset.StandardCharsets.UTF_8)), JWSAlgorithm.HS256, null);
        for (String bad : List.of(notYet, wrongIssuer, wrongAudience, noExpiry, badSignature, none, expiredAndForged,
                "garbage", "")) {
            assertThatThrownBy(() -> auth.authenticate(bad)).as(bad).isInstanceOf(AuthenticationException.class)
                    .isNotInstanceOf(io.geows.TokenExpiredException.class);
        }
        // only a genuine token is said to be expired (then the client knows to fetch a new one)
        assertThatThrownBy(() -> auth.authenticate(expired)).isInstanceOf(io.geows.TokenExpiredException.class)
                .hasMessageContaining("expired");
    }

    @Test
    void expiryWithinTheClockSkewIsAccepted() throws Exception {
        long exp = (System.currentTimeMillis() - 5_000) / 1000 * 1000; // JWT times are whole seconds
        String justExpired = hmac(claims("a").expirationTime(new Date(exp)).build());
        Identity id = auth.authenticate(justExpired);
        assertThat(id.userId()).isEqualTo("a");
        // the session may last as long as the token would be accepted: exp plus the skew, not already over
        assertThat(id.expiresAt()).isEqualTo(java.time.Instant.ofEpochMilli(exp).plus(JwtAuthenticator.DEFAULT_CLOCK_SKEW));
    }

    @Test
    void rsaAndEcKeysFromAJwksFile(@TempDir Path dir) throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("r1").generate();
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("e1").generate();
        Path file = dir.resolve("jwks.json");
        Files.writeString(file, new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString());
        JwtAuthenticator byKeys = JwtAuthenticator.builder().jwksFile(file).audience("geows").build();
        assertThat(byKeys.authenticate(sign(claims("rita").build(), new RSASSASigner(rsa), JWSAlgorithm.RS256, "r1")).userId())
                .isEqualTo("rita");
        assertThat(byKeys.authenticate(sign(claims("eve").build(), new ECDSASigner(ec), JWSAlgorithm.ES256, "e1")).userId())
                .isEqualTo("eve");
        // An HMAC token must not pass a public-key authenticator (the classic algorithm confusion).
        assertThatThrownBy(() -> byKeys.authenticate(hmac(claims("x").build()))).isInstanceOf(AuthenticationException.class);
    }

    @Test
    void configurationMistakesAreNamed() {
        assertThatThrownBy(() -> JwtAuthenticator.builder().hmacSecret("short".getBytes(java.nio.charset.StandardCharsets.UTF_8))).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> JwtAuthenticator.builder().build()).hasMessageContaining("hmacSecret");
        assertThatThrownBy(() -> JwtAuthenticator.builder().jwksFile(Path.of("/nonexistent/jwks.json")))
                .hasMessageContaining("/nonexistent/jwks.json");
    }
}
