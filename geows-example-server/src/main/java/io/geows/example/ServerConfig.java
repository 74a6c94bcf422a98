package io.geows.example;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import io.geows.NodeLimits;
import io.geows.PresenceMode;
import io.geows.PresencePolicy;
import io.geows.Residency;
import io.geows.Retention;

/**
 * The example server's settings, from flags ({@code --name value} or {@code --name=value}) and
 * {@code GEOWS_*} environment variables (flags win). A bad value fails with one line naming the flag.
 *
 * @param host       bind address of every port
 * @param httpPort   web page, /healthz, /readyz, /regions
 * @param broker     {@code memory}, {@code redis://...}, {@code rediss://...}, {@code nats://...} or {@code kafka://...}
 * @param region     this node's region; {@code null} with the memory broker means demo mode
 * @param nodeId     this node's id ({@code null}: region plus a random suffix)
 * @param port       this node's WebSocket port
 * @param publicUrl  the WebSocket URL clients should use for this node ({@code null}: its local one)
 * @param usPort     demo mode: the us-east node's port
 * @param euPort     demo mode: the eu-west node's port
 * @param peers      other regions' public WebSocket URLs, listed in /regions (region to URL)
 * @param limits     limits on each session
 * @param presence   how rooms' members hear about each other
 * @param security  tokens, inter-region keys, TLS, origins
 * @param natsMemory with a NATS broker: keep history and presence in memory instead of on disk
 * @param residency  rooms pinned to zones of regions ({@code null}: none; the demo pins {@code eu-*} to eu-west)
 * @param zoneBrokers the broker URL of each zone this node's region belongs to
 * @param retention  how long rooms keep their history, per room pattern
 * @param adminKeys  keys of the admin HTTP API ({@code Authorization: Bearer <key>}); empty: the API is off
 * @param apiKeys    keys of the server API for backends ({@code /api/v1}, docs/http-api.yaml); empty: off
 */
record ServerConfig(String host, int httpPort, String broker, String region, String nodeId, int port,
                    String publicUrl, int usPort, int euPort, Map<String, String> peers, NodeLimits limits,
                    PresencePolicy presence, Security security, boolean natsMemory, Residency residency,
                    Map<String, String> zoneBrokers, Retention retention, java.util.List<String> adminKeys,
                    java.util.List<String> apiKeys) {

    /** The demo's rule: rooms named {@code eu-...} are kept in eu-west only. */
    static final Residency DEMO_RESIDENCY = Residency.builder().regions("us-east", "eu-west").zone("eu", "eu-west")
            .pin("eu-*", "eu").build();

    /**
     * How clients and nodes prove who they are.
     *
     * @param tokenSecret      HS256 secret for JWT hello tokens, or {@code null}
     * @param tokenJwks        JWKS file with the RSA/EC keys tokens are signed with, or {@code null}
     * @param tokenPublicKey   PEM public key tokens are signed with, or {@code null}
     * @param tokenIssuer      required {@code iss}, or {@code null}
     * @param tokenAudience    required {@code aud}, or {@code null}
     * @param anonymous        demo tokens (the token is the user name, every room allowed): insecure
     * @param interRegionKeys  {@code id:base64[,id:base64]} keys broker messages are signed with, or {@code null}
     * @param allowedOrigins   browser origins allowed to connect (empty: any)
     * @param tlsCert          PEM certificate chain for wss://, or {@code null}
     * @param tlsKey           PEM private key for wss://, or {@code null}
     * @param tlsKeystore      PKCS12 key store for wss://, or {@code null}
     * @param tlsKeystorePassword its password
     * @param brokerCa         PEM CA file to trust for a rediss:// or tls:// broker, or {@code null}
     */
    record Security(String tokenSecret, String tokenJwks, String tokenPublicKey, String tokenIssuer, String tokenAudience,
                    boolean anonymous, String interRegionKeys, java.util.List<String> allowedOrigins, String tlsCert,
                    String tlsKey, String tlsKeystore, String tlsKeystorePassword, String brokerCa) {
        /** Demo security: anonymous tokens, nothing else. */
        static Security demo() {
            return builder().anonymous(true).build();
        }

        static Builder builder() {
            return new Builder();
        }

        /** Named settings instead of thirteen positional ones; unset means none. */
        static final class Builder {
            private String tokenSecret;
            private String tokenJwks;
            private String tokenPublicKey;
            private String tokenIssuer;
            private String tokenAudience;
            private boolean anonymous;
            private String interRegionKeys;
            private java.util.List<String> allowedOrigins = java.util.List.of();
            private String tlsCert;
            private String tlsKey;
            private String tlsKeystore;
            private String tlsKeystorePassword;
            private String brokerCa;

            Builder tokens(String secret, String jwks, String publicKey) {
                this.tokenSecret = secret;
                this.tokenJwks = jwks;
                this.tokenPublicKey = publicKey;
                return this;
            }

            Builder tokenClaims(String issuer, String audience) {
                this.tokenIssuer = issuer;
                this.tokenAudience = audience;
                return this;
            }

            Builder anonymous(boolean anonymous) {
                this.anonymous = anonymous;
                return this;
            }

            Builder interRegionKeys(String keys) {
                this.interRegionKeys = keys;
                return this;
            }

            Builder allowedOrigins(java.util.List<String> origins) {
                this.allowedOrigins = java.util.List.copyOf(origins);
                return this;
            }

            Builder tls(String cert, String key, String keystore, String keystorePassword) {
                this.tlsCert = cert;
                this.tlsKey = key;
                this.tlsKeystore = keystore;
                this.tlsKeystorePassword = keystorePassword;
                return this;
            }

            Builder brokerCa(String ca) {
                this.brokerCa = ca;
                return this;
            }

            Security build() {
                return new Security(tokenSecret, tokenJwks, tokenPublicKey, tokenIssuer, tokenAudience, anonymous,
                        interRegionKeys, allowedOrigins, tlsCert, tlsKey, tlsKeystore, tlsKeystorePassword, brokerCa);
            }
        }

        boolean tls() {
            return tlsCert != null || tlsKeystore != null;
        }
    }

    static Builder builder() {
        return new Builder();
    }

    /** Named settings instead of fourteen positional ones; defaults: the in-memory demo. */
    static final class Builder {
        private String host = "127.0.0.1";
        private int httpPort;
        private String broker = "memory";
        private String region;
        private String nodeId;
        private int port;
        private String publicUrl;
        private int usPort;
        private int euPort;
        private Map<String, String> peers = Map.of();
        private NodeLimits limits = NodeLimits.defaults();
        private PresencePolicy presence = PresencePolicy.defaults();
        private Security security = Security.demo();
        private boolean natsMemory;
        private Residency residency;
        private Map<String, String> zoneBrokers = Map.of();
        private Retention retention = Retention.none();
        private java.util.List<String> adminKeys = java.util.List.of();
        private java.util.List<String> apiKeys = java.util.List.of();

        Builder host(String host) {
            this.host = host;
            return this;
        }

        Builder httpPort(int port) {
            this.httpPort = port;
            return this;
        }

        Builder broker(String broker) {
            this.broker = broker;
            return this;
        }

        /** This node's region, id, WebSocket port and public URL (region null with the memory broker: demo). */
        Builder node(String region, String nodeId, int port, String publicUrl) {
            this.region = region;
            this.nodeId = nodeId;
            this.port = port;
            this.publicUrl = publicUrl;
            return this;
        }

        /** Demo mode: the two nodes' WebSocket ports. */
        Builder demoPorts(int usPort, int euPort) {
            this.usPort = usPort;
            this.euPort = euPort;
            return this;
        }

        Builder peers(Map<String, String> peers) {
            this.peers = Map.copyOf(peers);
            return this;
        }

        Builder limits(NodeLimits limits) {
            this.limits = limits;
            return this;
        }

        Builder presence(PresencePolicy presence) {
            this.presence = presence;
            return this;
        }

        Builder security(Security security) {
            this.security = security;
            return this;
        }

        Builder natsMemory(boolean natsMemory) {
            this.natsMemory = natsMemory;
            return this;
        }

        /** Rooms pinned to zones, and the broker URL of each zone of this node's region. */
        Builder residency(Residency residency, Map<String, String> zoneBrokers) {
            this.residency = residency;
            this.zoneBrokers = Map.copyOf(zoneBrokers);
            return this;
        }

        Builder retention(Retention retention) {
            this.retention = retention;
            return this;
        }

        Builder adminKeys(java.util.List<String> keys) {
            this.adminKeys = java.util.List.copyOf(keys);
            return this;
        }

        Builder apiKeys(java.util.List<String> keys) {
            this.apiKeys = java.util.List.copyOf(keys);
            return this;
        }

        ServerConfig build() {
            return new ServerConfig(host, httpPort, broker, region, nodeId, port, publicUrl, usPort, euPort, peers, limits,
                    presence, security, natsMemory, residency, zoneBrokers, retention, adminKeys, apiKeys);
        }
    }

    /** One flag: name, environment variable, default, meaning. */
    private record Flag(String name, String env, String fallback, String help) {
    }

    private static final Flag[] FLAGS = {
        new Flag("host", "GEOWS_HOST", "127.0.0.1", "bind address"),
        new Flag("http-port", "GEOWS_HTTP_PORT", "8080", "web page, /healthz, /readyz, /regions"),
        new Flag("broker", "GEOWS_BROKER", "memory", "memory, redis://[user:pass@]host:port, rediss://..., nats://[user:pass@]host:port or kafka://[user:pass@]host:port[,host:port] (kafkas:// for TLS)"),
        new Flag("nats-storage", "GEOWS_NATS_STORAGE", "file",
                "NATS: keep history and presence on disk (file) or in memory (memory: lost when nats-server restarts)"),
        new Flag("broker-ca", "GEOWS_BROKER_CA", "", "PEM CA certificate to trust for a rediss:// or tls:// broker (credentials go in the URL)"),
        new Flag("region", "GEOWS_REGION", "", "this node's region (empty with the memory broker: demo mode)"),
        new Flag("node-id", "GEOWS_NODE_ID", "", "this node's id (empty: region + random suffix)"),
        new Flag("port", "GEOWS_PORT", "8081", "this node's WebSocket port"),
        new Flag("public-url", "GEOWS_PUBLIC_URL", "", "WebSocket URL clients use to reach this node"),
        new Flag("us-port", "GEOWS_US_PORT", "8081", "demo mode: us-east WebSocket port"),
        new Flag("eu-port", "GEOWS_EU_PORT", "8082", "demo mode: eu-west WebSocket port"),
        new Flag("regions", "GEOWS_REGIONS", "", "other regions' URLs for /regions: eu-west=wss://eu.example.com/,..."),
        new Flag("max-frame-bytes", "GEOWS_MAX_FRAME_BYTES", String.valueOf(NodeLimits.DEFAULT_MAX_FRAME_BYTES),
                "largest client frame; larger ones close the session with 1009"),
        new Flag("max-rooms", "GEOWS_MAX_ROOMS", String.valueOf(NodeLimits.DEFAULT_MAX_ROOMS_PER_SESSION),
                "rooms one session may join"),
        new Flag("max-queued-frames", "GEOWS_MAX_QUEUED_FRAMES", String.valueOf(NodeLimits.DEFAULT_MAX_QUEUED_FRAMES),
                "frames queued for a slow client before it is disconnected (4008)"),
        new Flag("max-messages-per-second", "GEOWS_MAX_MESSAGES_PER_SECOND", String.valueOf(NodeLimits.DEFAULT_MESSAGES_PER_SECOND),
                "frames per second per session (then rate_limited; 2x over: close 4029); 0: no limit"),
        new Flag("message-burst", "GEOWS_MESSAGE_BURST", String.valueOf(NodeLimits.DEFAULT_MESSAGE_BURST),
                "frames a session may send at once above its rate"),
        new Flag("max-connections-per-address", "GEOWS_MAX_CONNECTIONS_PER_ADDRESS",
                String.valueOf(NodeLimits.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS), "open connections per client IP (then 4009); 0: no limit"),
        new Flag("max-joins-in-flight", "GEOWS_MAX_JOINS_IN_FLIGHT", String.valueOf(NodeLimits.DEFAULT_MAX_JOINS_IN_FLIGHT),
                "room joins worked on at once; more wait their turn"),
        new Flag("max-joins-waiting", "GEOWS_MAX_JOINS_WAITING", String.valueOf(NodeLimits.DEFAULT_MAX_JOINS_WAITING),
                "room joins that may wait; more are refused as 'overloaded' (retryable)"),
        new Flag("presence", "GEOWS_PRESENCE", "auto",
                "presence of rooms without a rule: auto (diffs, a count above the list limit), diff, count, events, off"),
        new Flag("presence-rooms", "GEOWS_PRESENCE_ROOMS", "",
                "presence per room pattern, e.g. 'stadium.*=count,support.*=events' (first match wins)"),
        new Flag("presence-window-ms", "GEOWS_PRESENCE_WINDOW_MS", String.valueOf(PresencePolicy.DEFAULT_WINDOW_MILLIS),
                "a room's joins and leaves of this long go out as one presence 'diff' frame"),
        new Flag("presence-list-limit", "GEOWS_PRESENCE_LIST_LIMIT", String.valueOf(PresencePolicy.DEFAULT_LIST_LIMIT),
                "auto rooms larger than this send member counts instead of member lists"),
        new Flag("presence-count-interval-ms", "GEOWS_PRESENCE_COUNT_INTERVAL_MS",
                String.valueOf(PresencePolicy.DEFAULT_COUNT_INTERVAL_MILLIS), "at most one member count per room this often"),
        new Flag("presence-count-frames-per-second", "GEOWS_PRESENCE_COUNT_FRAMES_PER_SECOND",
                String.valueOf(PresencePolicy.DEFAULT_COUNT_FRAMES_PER_SECOND),
                "count frames this node sends per second at most: with more members, counts come less often"),
        new Flag("allowed-origins", "GEOWS_ALLOWED_ORIGINS", "", "browser origins allowed to connect, comma-separated (empty: any)"),
        new Flag("token-secret", "GEOWS_TOKEN_SECRET", "", "HS256 secret (32+ bytes) for JWT hello tokens"),
        new Flag("token-jwks", "GEOWS_TOKEN_JWKS", "", "JWKS file with the RSA/EC keys of JWT hello tokens"),
        new Flag("token-public-key", "GEOWS_TOKEN_PUBLIC_KEY", "", "PEM public key (RSA/EC) of JWT hello tokens"),
        new Flag("token-issuer", "GEOWS_TOKEN_ISSUER", "", "required 'iss' of tokens (empty: not checked)"),
        new Flag("token-audience", "GEOWS_TOKEN_AUDIENCE", "", "required 'aud' of tokens (empty: not checked)"),
        new Flag("anonymous", "GEOWS_ANONYMOUS", "false",
                "true: demo tokens (the token is the user name, every room open; insecure). Implied in demo mode"),
        new Flag("inter-region-keys", "GEOWS_INTER_REGION_KEYS", "",
                "HMAC keys for broker messages: id:base64secret[,id:base64secret] (first signs, all verify)"),
        new Flag("tls-cert", "GEOWS_TLS_CERT", "", "PEM certificate chain: serve wss:// (with --tls-key)"),
        new Flag("tls-key", "GEOWS_TLS_KEY", "", "PEM private key (PKCS#8) for --tls-cert"),
        new Flag("tls-keystore", "GEOWS_TLS_KEYSTORE", "", "PKCS12 key store: serve wss://"),
        new Flag("tls-keystore-password", "GEOWS_TLS_KEYSTORE_PASSWORD", "", "password of --tls-keystore"),
        new Flag("all-regions", "GEOWS_ALL_REGIONS", "",
                "data residency: every region of the deployment, comma-separated (zones may only name these)"),
        new Flag("zones", "GEOWS_ZONES", "", "data residency: zones of regions, e.g. 'eu=eu-west+eu-central,us=us-east'"),
        new Flag("pins", "GEOWS_PINS", "",
                "data residency: rooms kept in a zone only, e.g. 'eu-*=eu,payroll=eu' (a room name, or a prefix and *)"),
        new Flag("pin-users", "GEOWS_PIN_USERS", "",
                "data residency: users served in a zone only (sessions, presence, direct messages), e.g. 'eu.*=eu'"),
        new Flag("zone-brokers", "GEOWS_ZONE_BROKERS", "",
                "data residency: the broker of each zone this node's region is in, e.g. 'eu=redis://eu-redis:6379'"),
        new Flag("retention", "GEOWS_RETENTION", "",
                "history kept per room pattern: pattern=COUNT, pattern=AGE or pattern=COUNT/AGE (AGE like 90s, 15m, 12h, 30d), "
                        + "e.g. 'eu-*=1000/30d,lobby=100'"),
        new Flag("admin-keys", "GEOWS_ADMIN_KEYS", "",
                "keys of the admin HTTP API (POST /admin/erase?user=...), comma-separated so one can be rotated in while "
                        + "the old one still works; each 32+ characters. Empty: the admin API is off"),
        new Flag("api-keys", "GEOWS_API_KEYS", "",
                "keys of the server API for backends (/api/v1: publish, send, broadcast, presence, history, disconnect; "
                        + "docs/http-api.yaml), comma-separated for rotation; each 32+ characters. Empty: the API is off"),
        new Flag("hello-timeout-ms", "GEOWS_HELLO_TIMEOUT_MS", String.valueOf(NodeLimits.DEFAULT_HELLO_TIMEOUT.toMillis()),
                "time a connection has to say hello (then 4000)"),
    };

    /** Whether to run the two demo regions in this process. */
    boolean demo() {
        return broker.equals("memory") && region == null;
    }

    /** Thrown for a bad flag; the message is the one line to print. */
    static final class BadFlag extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadFlag(String message) {
            super(message);
        }
    }

    /** Parses flags over the environment. {@code --help} returns null. */
    static ServerConfig parse(String[] args, Function<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Flag f : FLAGS) {
            String v = env.apply(f.env());
            values.put(f.name(), v == null || v.isBlank() ? f.fallback() : v.trim());
        }
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                return null;
            }
            if (!a.startsWith("--")) {
                throw new BadFlag("unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new BadFlag("--" + name + " needs a value");
            }
            if (!values.containsKey(name)) {
                throw new BadFlag("unknown flag --" + name);
            }
            values.put(name, value);
        }
        String broker = values.get("broker");
        String lower = broker.toLowerCase(Locale.ROOT);
        if (!lower.equals("memory") && !brokerUrl(broker)) {
            throw new BadFlag("--broker must be memory, redis://host:port, rediss://host:port, nats://host:port or"
                    + " kafka://host:port[,host:port], was '"
                    + io.geows.spi.BrokerUrls.redact(broker) + "'");
        }
        NodeLimits limits;
        try {
            limits = NodeLimits.builder()
                    .maxFrameBytes(number(values, "max-frame-bytes"))
                    .maxRoomsPerSession(number(values, "max-rooms"))
                    .maxQueuedFrames(number(values, "max-queued-frames"))
                    .helloTimeout(java.time.Duration.ofMillis(number(values, "hello-timeout-ms")))
                    .maxQueuedBytes(Math.max(NodeLimits.DEFAULT_MAX_QUEUED_BYTES, number(values, "max-frame-bytes")))
                    .messagesPerSecond(number(values, "max-messages-per-second"))
                    .messageBurst(number(values, "message-burst"))
                    .maxConnectionsPerAddress(number(values, "max-connections-per-address"))
                    .maxJoinsInFlight(number(values, "max-joins-in-flight"))
                    .maxJoinsWaiting(number(values, "max-joins-waiting"))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new BadFlag("bad limit: " + e.getMessage());
        }
        String secret = blankToNull(values.get("token-secret"));
        if (secret != null && secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
            throw new BadFlag("--token-secret must be at least 32 bytes (HS256), was "
                    + secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        }
        String region = blankToNull(values.get("region"));
        Residency residency = residency(values);
        Map<String, String> zoneBrokers = zoneBrokers(values.get("zone-brokers"));
        zoneBrokers.forEach((zone, url) -> {
            if (url.equalsIgnoreCase(broker)) {
                // the same server twice: the node would get its direct messages once through each connection
                throw new BadFlag("--zone-brokers: zone " + zone + "'s broker is the global broker (--broker); a zone's data "
                        + "lives on a broker of its own");
            }
        });
        if (residency != null && lower.equals("memory") && region == null) {
            throw new BadFlag("data-residency flags need --region and a shared broker (the demo keeps rooms named eu-... in "
                    + "eu-west by itself)");
        }
        return builder().host(values.get("host")).httpPort(port(values, "http-port")).broker(broker)
                .node(region, blankToNull(values.get("node-id")), port(values, "port"), blankToNull(values.get("public-url")))
                .demoPorts(port(values, "us-port"), port(values, "eu-port")).peers(peers(values.get("regions")))
                .limits(limits).presence(presence(values))
                .security(security(values, lower.equals("memory") && region == null))
                .natsMemory(natsStorage(values.get("nats-storage")))
                .residency(residency, zoneBrokers).retention(retention(values.get("retention")))
                .adminKeys(keys(values.get("admin-keys"), "--admin-keys"))
                .apiKeys(keys(values.get("api-keys"), "--api-keys")).build();
    }

    /** The residency flags as rules: refused here (naming the flag) when they do not hold together. */
    private static Residency residency(Map<String, String> values) {
        String pins = values.get("pins");
        String userPins = values.get("pin-users");
        String zones = values.get("zones");
        String all = values.get("all-regions");
        if (pins.isBlank() && userPins.isBlank() && zones.isBlank() && values.get("zone-brokers").isBlank()) {
            return null;
        }
        if (all.isBlank()) {
            throw new BadFlag("data residency needs --all-regions (every region of the deployment), so that a zone naming"
                    + " a misspelt region is caught");
        }
        try {
            Residency.Builder b = Residency.builder().regions(all.split(","));
            for (String zone : zones.split(",")) {
                if (zone.isBlank()) {
                    continue;
                }
                int eq = zone.indexOf('=');
                if (eq <= 0) {
                    throw new BadFlag("--zones takes zone=region+region pairs separated by commas, e.g. "
                            + "'eu=eu-west+eu-central', was '" + zone.trim() + "'");
                }
                b.zone(zone.substring(0, eq).trim(), zone.substring(eq + 1).split("\\+"));
            }
            for (String pin : pins.split(",")) {
                if (pin.isBlank()) {
                    continue;
                }
                int eq = pin.lastIndexOf('=');
                if (eq <= 0) {
                    throw new BadFlag("--pins takes pattern=zone pairs separated by commas, e.g. 'eu-*=eu', was '"
                            + pin.trim() + "'");
                }
                b.pin(pin.substring(0, eq).trim(), pin.substring(eq + 1).trim());
            }
            for (String pin : userPins.split(",")) {
                if (pin.isBlank()) {
                    continue;
                }
                int eq = pin.lastIndexOf('=');
                if (eq <= 0) {
                    throw new BadFlag("--pin-users takes pattern=zone pairs separated by commas, e.g. 'eu.*=eu', was '"
                            + pin.trim() + "'");
                }
                b.pinUsers(pin.substring(0, eq).trim(), pin.substring(eq + 1).trim());
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new BadFlag("bad data-residency rule: " + e.getMessage());
        }
    }

    private static java.util.List<String> keys(String spec, String flag) {
        java.util.List<String> keys = new java.util.ArrayList<>();
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

    private static java.time.Duration age(String text) {
        long n = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> java.time.Duration.ofSeconds(n);
            case 'm' -> java.time.Duration.ofMinutes(n);
            case 'h' -> java.time.Duration.ofHours(n);
            default -> java.time.Duration.ofDays(n);
        };
    }

    /** {@code --retention}: pattern=COUNT, pattern=AGE or pattern=COUNT/AGE, comma-separated. */
    private static Retention retention(String spec) {
        Retention.Builder b = Retention.builder();
        for (String rule : spec.split(",")) {
            if (rule.isBlank()) {
                continue;
            }
            int eq = rule.lastIndexOf('=');
            String bounds = eq > 0 ? rule.substring(eq + 1).trim() : "";
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(?:/(\\d+[smhd]))?|(\\d+[smhd])")
                    .matcher(bounds);
            if (eq <= 0 || bounds.isEmpty() || !m.matches()) {
                throw new BadFlag("--retention takes pattern=COUNT, pattern=AGE or pattern=COUNT/AGE (AGE like 90s, 15m, "
                        + "12h, 30d), e.g. 'eu-*=1000/30d', was '" + rule.trim() + "'");
            }
            try {
                int count = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
                String ageText = m.group(2) != null ? m.group(2) : m.group(3);
                java.time.Duration age = ageText == null ? null : age(ageText);
                b.keep(rule.substring(0, eq).trim(), count, age);
            } catch (IllegalArgumentException e) {
                throw new BadFlag("--retention '" + rule.trim() + "': " + e.getMessage());
            }
        }
        return b.build();
    }

    private static Map<String, String> zoneBrokers(String spec) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String entry : spec.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String zone = eq > 0 ? entry.substring(0, eq).trim() : "";
            String url = eq > 0 ? entry.substring(eq + 1).trim() : "";
            if (zone.isEmpty() || !brokerUrl(url)) {
                throw new BadFlag("--zone-brokers entries must be zone=redis://..., nats://... or kafka://..., was '"
                        + io.geows.spi.BrokerUrls.redact(entry.trim()) + "'");
            }
            if (out.put(zone, url) != null) {
                throw new BadFlag("--zone-brokers names zone '" + zone + "' twice");
            }
        }
        return out;
    }

    private static boolean brokerUrl(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        return lower.startsWith("redis://") || lower.startsWith("rediss://") || lower.startsWith("nats://")
                || lower.startsWith("tls://") || lower.startsWith("kafka://") || lower.startsWith("kafkas://");
    }

    private static boolean natsStorage(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "file" -> false;
            case "memory" -> true;
            default -> throw new BadFlag("--nats-storage must be file or memory, was '" + v + "'");
        };
    }

    private static Security security(Map<String, String> values, boolean demo) {
        String secret = blankToNull(values.get("token-secret"));
        String jwks = blankToNull(values.get("token-jwks"));
        String publicKey = blankToNull(values.get("token-public-key"));
        int keySources = (secret == null ? 0 : 1) + (jwks == null ? 0 : 1) + (publicKey == null ? 0 : 1);
        if (keySources > 1) {
            throw new BadFlag("give one of --token-secret, --token-jwks and --token-public-key");
        }
        String anon = values.get("anonymous").toLowerCase(Locale.ROOT);
        if (!anon.equals("true") && !anon.equals("false")) {
            throw new BadFlag("--anonymous must be true or false, was '" + values.get("anonymous") + "'");
        }
        boolean anonymous = anon.equals("true") || (demo && keySources == 0);
        if (anonymous && keySources > 0) {
            throw new BadFlag("--anonymous and a token key exclude each other");
        }
        if (!anonymous && keySources == 0) {
            throw new BadFlag("clients must authenticate: give --token-secret, --token-jwks or --token-public-key "
                    + "(or --anonymous true for a demo: anyone can be anyone)");
        }
        String keys = blankToNull(values.get("inter-region-keys"));
        try {
            io.geows.InterRegionKeys.parse(keys);
        } catch (IllegalArgumentException e) {
            throw new BadFlag("--inter-region-keys: " + e.getMessage());
        }
        String cert = blankToNull(values.get("tls-cert"));
        String key = blankToNull(values.get("tls-key"));
        String keystore = blankToNull(values.get("tls-keystore"));
        if ((cert == null) != (key == null)) {
            throw new BadFlag("--tls-cert and --tls-key go together");
        }
        if (cert != null && keystore != null) {
            throw new BadFlag("give --tls-cert/--tls-key or --tls-keystore, not both");
        }
        java.util.List<String> origins = new java.util.ArrayList<>();
        for (String o : values.get("allowed-origins").split(",")) {
            if (!o.isBlank()) {
                if (!o.trim().matches("https?://[^/\\s]+")) {
                    throw new BadFlag("--allowed-origins entries look like https://chat.example.com, was '" + o.trim() + "'");
                }
                origins.add(o.trim());
            }
        }
        return Security.builder().tokens(secret, jwks, publicKey)
                .tokenClaims(blankToNull(values.get("token-issuer")), blankToNull(values.get("token-audience")))
                .anonymous(anonymous).interRegionKeys(keys).allowedOrigins(origins)
                .tls(cert, key, keystore, values.get("tls-keystore-password"))
                .brokerCa(blankToNull(values.get("broker-ca"))).build();
    }

    private static PresencePolicy presence(Map<String, String> values) {
        try {
            PresencePolicy.Builder b = PresencePolicy.builder().defaultMode(presenceMode(values.get("presence"), "--presence"))
                    .window(java.time.Duration.ofMillis(number(values, "presence-window-ms")))
                    .listLimit(number(values, "presence-list-limit"))
                    .countInterval(java.time.Duration.ofMillis(number(values, "presence-count-interval-ms")))
                    .countFramesPerSecond(number(values, "presence-count-frames-per-second"));
            String rules = values.get("presence-rooms");
            if (rules != null && !rules.isBlank()) {
                for (String rule : rules.split(",")) {
                    int eq = rule.lastIndexOf('=');
                    if (eq <= 0) {
                        throw new BadFlag("--presence-rooms takes pattern=mode pairs separated by commas, e.g. "
                                + "'stadium.*=count', was '" + rule.trim() + "'");
                    }
                    b.room(rule.substring(0, eq).trim(), presenceMode(rule.substring(eq + 1), "--presence-rooms"));
                }
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new BadFlag("bad presence setting: " + e.getMessage());
        }
    }

    private static PresenceMode presenceMode(String v, String flag) {
        try {
            return PresenceMode.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadFlag(flag + " takes auto, diff, count, events or off, was '" + v.trim() + "'");
        }
    }

    private static int number(Map<String, String> values, String name) {
        String v = values.get(name);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new BadFlag("--" + name + " must be a whole number, was '" + v + "'");
        }
    }

    private static Map<String, String> peers(String spec) {
        Map<String, String> peers = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return peers;
        }
        for (String entry : spec.split(",")) {
            int eq = entry.indexOf('=');
            String region = eq > 0 ? entry.substring(0, eq).trim() : "";
            String url = eq > 0 ? entry.substring(eq + 1).trim() : "";
            if (region.isEmpty() || !(url.startsWith("ws://") || url.startsWith("wss://"))) {
                throw new BadFlag("--regions entries must be region=ws(s)://host:port/, was '" + entry.trim() + "'");
            }
            peers.put(region, url);
        }
        return peers;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static int port(Map<String, String> values, String name) {
        String v = values.get(name);
        try {
            int p = Integer.parseInt(v);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new BadFlag("--" + name + " must be a port number 0-65535 (0: any free port), was '" + v + "'");
        }
    }

    static String usage() {
        StringBuilder sb = new StringBuilder("geows example server\n\n"
                + "With the memory broker and no --region it runs the demo: us-east and eu-west in one process.\n"
                + "With --region (and a shared broker such as redis://) it runs one node of a cluster.\n\n");
        for (Flag f : FLAGS) {
            sb.append(String.format("  --%-28s %-34s %s (default: %s)%n", f.name(), f.env(), f.help(),
                    f.fallback().isEmpty() ? "none" : f.fallback()));
        }
        return sb.append("\nPort 0 picks a free port.").toString();
    }
}
