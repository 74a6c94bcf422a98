package io.geows.example;

import static io.geows.example.FlagValues.blankToNull;

import io.geows.InterRegionKeys;
import io.geows.example.ServerConfig.BadFlag;
import io.geows.example.ServerConfig.Security;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The flags of security: hello tokens, inter-region keys, TLS, origins, the broker's CA and the keys of
 * the HTTP APIs. Part of {@link ServerCommand}. Several hold secrets: none is ever printed (the usage
 * shows defaults only, which are empty, and {@link Security}'s {@code toString} hides them).
 */
final class SecurityOptions {
    @Option(names = "--allowed-origins", description = "browser origins allowed to connect, comma-separated (empty: any)")
    private String allowedOrigins = "";

    @Option(names = "--token-secret", description = "HS256 secret (32+ bytes) for JWT hello tokens")
    private String tokenSecret = "";

    @Option(names = "--token-jwks", description = "JWKS file with the RSA/EC keys of JWT hello tokens")
    private String tokenJwks = "";

    @Option(names = "--token-public-key", description = "PEM public key (RSA/EC) of JWT hello tokens")
    private String tokenPublicKey = "";

    @Option(names = "--token-issuer", description = "required 'iss' of tokens (empty: not checked)")
    private String tokenIssuer = "";

    @Option(names = "--token-audience", description = "required 'aud' of tokens (empty: not checked)")
    private String tokenAudience = "";

    @Option(names = "--anonymous", converter = FlagValues.TrueFalse.class,
            description = "true: demo tokens (the token is the user name, every room open; insecure). Implied in demo mode")
    private String anonymous = "false";

    @Option(names = "--inter-region-keys",
            description = "HMAC keys for broker messages: id:base64secret[,id:base64secret] (first signs, all verify)")
    private String interRegionKeys = "";

    @Option(names = "--tls-cert", description = "PEM certificate chain: serve wss:// (with --tls-key)")
    private String tlsCert = "";

    @Option(names = "--tls-key", description = "PEM private key (PKCS#8) for --tls-cert")
    private String tlsKey = "";

    @Option(names = "--tls-keystore", description = "PKCS12 key store: serve wss://")
    private String tlsKeystore = "";

    @Option(names = "--tls-keystore-password", description = "password of --tls-keystore")
    private String tlsKeystorePassword = "";

    @Option(names = "--broker-ca",
            description = "PEM CA certificate to trust for a rediss:// or tls:// broker (credentials go in the URL)")
    private String brokerCa = "";

    @Option(names = "--admin-keys", description = "keys of the admin HTTP API (POST /admin/erase?user=...), comma-separated "
            + "so one can be rotated in while the old one still works; each 32+ characters. Empty: the admin API is off")
    private String adminKeys = "";

    @Option(names = "--api-keys", description = "keys of the server API for backends (/api/v1: publish, send, broadcast, "
            + "presence, history, disconnect; docs/http-api.yaml), comma-separated for rotation; each 32+ characters. "
            + "Empty: the API is off")
    private String apiKeys = "";

    /**
     * The security settings, refused (naming the flags) when they do not hold together.
     *
     * @param demo demo mode: anonymous tokens unless a token key is given
     */
    Security toSecurity(boolean demo) {
        String secret = blankToNull(tokenSecret);
        if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new BadFlag("--token-secret must be at least 32 bytes (HS256), was "
                    + secret.getBytes(StandardCharsets.UTF_8).length);
        }
        String jwks = blankToNull(tokenJwks);
        String publicKey = blankToNull(tokenPublicKey);
        int keySources = (secret == null ? 0 : 1) + (jwks == null ? 0 : 1) + (publicKey == null ? 0 : 1);
        if (keySources > 1) {
            throw new BadFlag("give one of --token-secret, --token-jwks and --token-public-key");
        }
        boolean anon = anonymous.equals("true") || (demo && keySources == 0);
        if (anon && keySources > 0) {
            throw new BadFlag("--anonymous and a token key exclude each other");
        }
        if (!anon && keySources == 0) {
            throw new BadFlag("clients must authenticate: give --token-secret, --token-jwks or --token-public-key "
                    + "(or --anonymous true for a demo: anyone can be anyone)");
        }
        Security.Tokens tokens = new Security.Tokens(anon, secret, jwks, publicKey,
                new Security.Claims(blankToNull(tokenIssuer), blankToNull(tokenAudience)));
        Security.Trust trust = new Security.Trust(interRegionKeys(), origins(), blankToNull(brokerCa));
        return new Security(tokens, tlsFiles(), trust,
                new Security.HttpKeys(keys(adminKeys, "--admin-keys"), keys(apiKeys, "--api-keys")));
    }

    private String interRegionKeys() {
        String keys = blankToNull(interRegionKeys);
        try {
            InterRegionKeys.parse(keys);
        } catch (IllegalArgumentException e) {
            throw new BadFlag("--inter-region-keys: " + e.getMessage());
        }
        return keys;
    }

    private Security.TlsFiles tlsFiles() {
        String cert = blankToNull(tlsCert);
        String key = blankToNull(tlsKey);
        String keystore = blankToNull(tlsKeystore);
        if ((cert == null) != (key == null)) {
            throw new BadFlag("--tls-cert and --tls-key go together");
        }
        if (cert != null && keystore != null) {
            throw new BadFlag("give --tls-cert/--tls-key or --tls-keystore, not both");
        }
        return new Security.TlsFiles(cert, key, keystore, tlsKeystorePassword);
    }

    private List<String> origins() {
        List<String> origins = new ArrayList<>();
        for (String o : allowedOrigins.split(",")) {
            if (!o.isBlank()) {
                if (!o.trim().matches("https?://[^/\\s]+")) {
                    throw new BadFlag("--allowed-origins entries look like https://chat.example.com, was '" + o.trim() + "'");
                }
                origins.add(o.trim());
            }
        }
        return origins;
    }

    /** Comma-separated keys of 32+ characters; the message of a short one gives its length, never the key. */
    private static List<String> keys(String spec, String flag) {
        List<String> keys = new ArrayList<>();
        for (String k : spec.split(",")) {
            String key = k.trim();
            if (key.isEmpty()) {
                continue;
            }
            if (key.length() < 32) {
                throw new BadFlag(flag + ": each key must be at least 32 characters (one was " + key.length() + ")");
            }
            keys.add(key);
        }
        return keys;
    }
}
