package io.geows.example;

import io.geows.NodeLimits;
import io.geows.PresencePolicy;
import io.geows.Residency;
import io.geows.Retention;
import io.geows.spi.BrokerUrls;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The example server's settings, in small named groups. {@link #parse} reads them from flags
 * ({@code --name value} or {@code --name=value}) and {@code GEOWS_*} environment variables (flags win):
 * see {@link ServerCommand}. A bad value fails with one line naming the flag. No {@code toString} of
 * these records shows a secret or a broker password.
 *
 * @param listen   where this process listens
 * @param node     this node (cluster mode) and the other regions
 * @param brokers  the broker, and the brokers of the zones of data residency
 * @param policies limits on sessions, presence, history
 * @param security tokens, inter-region keys, TLS, origins, keys of the HTTP APIs
 */
record ServerConfig(Listen listen, Node node, Brokers brokers, Policies policies, Security security) {

    /** The demo's rule: rooms named {@code eu-...} are kept in eu-west only. */
    static final Residency DEMO_RESIDENCY = Residency.builder().regions("us-east", "eu-west").zone("eu", "eu-west")
            .pin("eu-*", "eu").build();

    /** Thrown for a bad flag; the message is the one line to print. */
    static final class BadFlag extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadFlag(String message) {
            super(message);
        }
    }

    /** Parses flags over the environment ({@code env}: variable name to value). {@code --help} returns null. */
    static ServerConfig parse(String[] args, Function<String, String> env) {
        return ServerCommand.parse(args, env);
    }

    /** The {@code --help} text: every flag with its environment variable and default. */
    static String usage() {
        return ServerCommand.usage();
    }

    /**
     * Where this process listens.
     *
     * @param host     bind address of every port
     * @param httpPort web page, /healthz, /readyz, /regions
     * @param usPort   demo mode: the us-east node's WebSocket port
     * @param euPort   demo mode: the eu-west node's WebSocket port
     */
    record Listen(String host, int httpPort, int usPort, int euPort) {
    }

    /**
     * This node of a cluster.
     *
     * @param region    this node's region; {@code null} with the memory broker means demo mode
     * @param nodeId    this node's id ({@code null}: region plus a random suffix)
     * @param port      this node's WebSocket port
     * @param publicUrl the WebSocket URL clients should use for this node ({@code null}: its local one)
     * @param peers     other regions' public WebSocket URLs, listed in /regions (region to URL)
     */
    record Node(String region, String nodeId, int port, String publicUrl, Map<String, String> peers) {
        Node {
            peers = Map.copyOf(peers);
        }
    }

    /**
     * The brokers.
     *
     * @param broker      {@code memory}, {@code redis://...}, {@code rediss://...}, {@code nats://...} or {@code kafka://...}
     * @param natsMemory  with a NATS broker: keep history and presence in memory instead of on disk
     * @param residency   rooms pinned to zones of regions ({@code null}: none; the demo pins {@code eu-*} to eu-west)
     * @param zoneBrokers the broker URL of each zone this node's region belongs to
     */
    record Brokers(String broker, boolean natsMemory, Residency residency, Map<String, String> zoneBrokers) {
        Brokers {
            zoneBrokers = Map.copyOf(zoneBrokers);
        }

        @Override
        public String toString() {
            Map<String, String> zones = new LinkedHashMap<>();
            zoneBrokers.forEach((zone, url) -> zones.put(zone, BrokerUrls.redact(url)));
            return "Brokers[broker=" + BrokerUrls.redact(broker) + ", natsMemory=" + natsMemory + ", residency=" + residency
                    + ", zoneBrokers=" + zones + "]";
        }
    }

    /**
     * What a node allows and keeps.
     *
     * @param limits    limits on each session
     * @param presence  how rooms' members hear about each other
     * @param retention how long rooms keep their history, per room pattern
     */
    record Policies(NodeLimits limits, PresencePolicy presence, Retention retention) {
    }

    /**
     * How clients, nodes and backends prove who they are.
     *
     * @param tokens   the hello tokens of clients
     * @param tlsFiles the certificate and key of wss://
     * @param trust    inter-region keys, browser origins, the broker's CA
     * @param httpKeys keys of the admin and server HTTP APIs
     */
    record Security(Tokens tokens, TlsFiles tlsFiles, Trust trust, HttpKeys httpKeys) {
        /** Demo security: anonymous tokens, nothing else. */
        static Security demo() {
            return new Security(new Tokens(true, null, null, null, new Claims(null, null)),
                    new TlsFiles(null, null, null, null), new Trust(null, List.of(), null), new HttpKeys(List.of(), List.of()));
        }

        /** Whether the nodes serve wss://. */
        boolean tls() {
            return tlsFiles.cert() != null || tlsFiles.keystore() != null;
        }

        /** Demo tokens (the token is the user name, every room allowed): insecure. */
        boolean anonymous() {
            return tokens.anonymous();
        }

        /** HS256 secret for JWT hello tokens, or {@code null}. */
        String tokenSecret() {
            return tokens.secret();
        }

        /** JWKS file with the RSA/EC keys tokens are signed with, or {@code null}. */
        String tokenJwks() {
            return tokens.jwks();
        }

        /** PEM public key tokens are signed with, or {@code null}. */
        String tokenPublicKey() {
            return tokens.publicKey();
        }

        /** Required {@code iss}, or {@code null}. */
        String tokenIssuer() {
            return tokens.claims().issuer();
        }

        /** Required {@code aud}, or {@code null}. */
        String tokenAudience() {
            return tokens.claims().audience();
        }

        /** PEM certificate chain for wss://, or {@code null}. */
        String tlsCert() {
            return tlsFiles.cert();
        }

        /** PEM private key for wss://, or {@code null}. */
        String tlsKey() {
            return tlsFiles.key();
        }

        /** PKCS12 key store for wss://, or {@code null}. */
        String tlsKeystore() {
            return tlsFiles.keystore();
        }

        /** The key store's password. */
        String tlsKeystorePassword() {
            return tlsFiles.keystorePassword();
        }

        /** {@code id:base64[,id:base64]} keys broker messages are signed with, or {@code null}. */
        String interRegionKeys() {
            return trust.interRegionKeys();
        }

        /** Browser origins allowed to connect (empty: any). */
        List<String> allowedOrigins() {
            return trust.allowedOrigins();
        }

        /** PEM CA file to trust for a rediss:// or tls:// broker, or {@code null}. */
        String brokerCa() {
            return trust.brokerCa();
        }

        /**
         * Hello tokens: anonymous demo ones, or JWTs checked with one key.
         *
         * @param anonymous demo tokens (the token is the user name, every room allowed): insecure
         * @param secret    HS256 secret, or {@code null}
         * @param jwks      JWKS file with the RSA/EC keys, or {@code null}
         * @param publicKey PEM public key, or {@code null}
         * @param claims    the claims every token must carry
         */
        record Tokens(boolean anonymous, String secret, String jwks, String publicKey, Claims claims) {
            @Override
            public String toString() {
                return "Tokens[anonymous=" + anonymous + ", secret=" + hidden(secret) + ", jwks=" + jwks + ", publicKey="
                        + publicKey + ", claims=" + claims + "]";
            }
        }

        /**
         * Claims a token must carry.
         *
         * @param issuer   required {@code iss}, or {@code null}
         * @param audience required {@code aud}, or {@code null}
         */
        record Claims(String issuer, String audience) {
        }

        /**
         * The files of wss://: a PEM certificate chain and key, or a PKCS12 key store.
         *
         * @param cert             PEM certificate chain, or {@code null}
         * @param key              PEM private key, or {@code null}
         * @param keystore         PKCS12 key store, or {@code null}
         * @param keystorePassword its password
         */
        record TlsFiles(String cert, String key, String keystore, String keystorePassword) {
            @Override
            public String toString() {
                return "TlsFiles[cert=" + cert + ", key=" + key + ", keystore=" + keystore + ", keystorePassword="
                        + hidden(keystorePassword) + "]";
            }
        }

        /**
         * Whom the nodes trust.
         *
         * @param interRegionKeys {@code id:base64[,id:base64]} keys broker messages are signed with, or {@code null}
         * @param allowedOrigins  browser origins allowed to connect (empty: any)
         * @param brokerCa        PEM CA file to trust for a rediss:// or tls:// broker, or {@code null}
         */
        record Trust(String interRegionKeys, List<String> allowedOrigins, String brokerCa) {
            Trust {
                allowedOrigins = List.copyOf(allowedOrigins);
            }

            @Override
            public String toString() {
                return "Trust[interRegionKeys=" + hidden(interRegionKeys) + ", allowedOrigins=" + allowedOrigins
                        + ", brokerCa=" + brokerCa + "]";
            }
        }

        /**
         * Keys of the HTTP APIs ({@code Authorization: Bearer <key>}); empty: that API is off.
         *
         * @param admin keys of the admin API
         * @param api   keys of the server API for backends ({@code /api/v1}, docs/http-api.yaml)
         */
        record HttpKeys(List<String> admin, List<String> api) {
            HttpKeys {
                admin = List.copyOf(admin);
                api = List.copyOf(api);
            }

            @Override
            public String toString() {
                return "HttpKeys[admin=" + admin.size() + " keys, api=" + api.size() + " keys]";
            }
        }

        private static String hidden(String secret) {
            return secret == null || secret.isEmpty() ? String.valueOf(secret) : "(hidden)";
        }
    }

    /** Whether to run the two demo regions in this process. */
    boolean demo() {
        return broker().equals("memory") && region() == null;
    }

    // The flat view ExampleServer reads.

    String host() {
        return listen.host();
    }

    int httpPort() {
        return listen.httpPort();
    }

    int usPort() {
        return listen.usPort();
    }

    int euPort() {
        return listen.euPort();
    }

    String region() {
        return node.region();
    }

    String nodeId() {
        return node.nodeId();
    }

    int port() {
        return node.port();
    }

    String publicUrl() {
        return node.publicUrl();
    }

    Map<String, String> peers() {
        return node.peers();
    }

    String broker() {
        return brokers.broker();
    }

    boolean natsMemory() {
        return brokers.natsMemory();
    }

    Residency residency() {
        return brokers.residency();
    }

    Map<String, String> zoneBrokers() {
        return brokers.zoneBrokers();
    }

    NodeLimits limits() {
        return policies.limits();
    }

    PresencePolicy presence() {
        return policies.presence();
    }

    Retention retention() {
        return policies.retention();
    }

    List<String> adminKeys() {
        return security.httpKeys().admin();
    }

    List<String> apiKeys() {
        return security.httpKeys().api();
    }

    static Builder builder() {
        return new Builder();
    }

    /** The in-memory demo's settings, on the given addresses. */
    static final class Builder {
        private String host = "127.0.0.1";
        private int httpPort;
        private int usPort;
        private int euPort;

        Builder host(String host) {
            this.host = host;
            return this;
        }

        Builder httpPort(int port) {
            this.httpPort = port;
            return this;
        }

        /** Demo mode: the two nodes' WebSocket ports. */
        Builder demoPorts(int usPort, int euPort) {
            this.usPort = usPort;
            this.euPort = euPort;
            return this;
        }

        ServerConfig build() {
            return new ServerConfig(new Listen(host, httpPort, usPort, euPort), new Node(null, null, 0, null, Map.of()),
                    new Brokers("memory", false, null, Map.of()),
                    new Policies(NodeLimits.defaults(), PresencePolicy.defaults(), Retention.none()), Security.demo());
        }
    }
}
