package io.geows.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code geows.*} properties a node is started from. An unknown property under {@code geows.}
 * (a typo) fails start-up naming it, as does a value that does not fit.
 *
 * <pre>
 * geows.region=eu-west
 * geows.port=8081
 * geows.public-url=wss://eu.example.com/
 * geows.broker=redis://geows:secret@redis.eu.internal:6379
 * geows.jwt.secret=${GEOWS_TOKEN_SECRET}
 * geows.inter-region-keys=${GEOWS_INTER_REGION_KEYS}
 * </pre>
 *
 * @since 0.1.0
 */
@ConfigurationProperties(prefix = "geows", ignoreUnknownFields = false)
public class GeoWsProperties {
    /** Whether to start a geows node with the application. */
    private boolean enabled = true;
    /** This node's region, e.g. eu-west (required). */
    private String region;
    /** This node's id, unique in the cluster (default: the region and a random suffix). */
    private String nodeId;
    /** The address the WebSocket port binds to (0.0.0.0 to accept remote clients). */
    private String host = "127.0.0.1";
    /** The WebSocket port (0: any free port). */
    private int port = 8081;
    /** The WebSocket URL clients use to reach this node from outside (told in goaway and wrong_region). */
    private String publicUrl;
    /**
     * The broker: memory (a private in-process broker, one node), redis://, rediss://, nats://, tls://,
     * kafka:// or kafkas:// (with geows-redis, geows-nats or geows-kafka on the class path). A
     * BrokerAdapter bean of the application's takes precedence.
     */
    private String broker = "memory";
    /** A PEM CA certificate to trust for a TLS broker. */
    private Path brokerCa;
    /** Demo tokens: the token is the user id and every room is open. Insecure: for demos and tests. */
    private boolean anonymous;
    /** HMAC keys broker messages are signed with: id:base64secret[,id:base64secret] (first signs, all verify). */
    private String interRegionKeys;
    /** Browser origins allowed to connect (empty: any). */
    private List<String> allowedOrigins = new ArrayList<>();
    /** How long closing the node waits for clients to leave after goaway. */
    private Duration drainTimeout = Duration.ofSeconds(5);
    /** JWT hello tokens (used unless the application defines an Authenticator bean). */
    private final Jwt jwt = new Jwt();
    /** TLS of the WebSocket port (wss://). */
    private final Tls tls = new Tls();
    /** Limits on each session (unset: the node's defaults). */
    private final Limits limits = new Limits();
    /** Data residency: rooms and users pinned to zones of regions (see docs/compliance.md). */
    private final Residency residency = new Residency();
    /**
     * How much history each room pattern (a name, or a prefix and *) keeps, such as
     * {@code geows.retention.[chat-*].messages=1000} and {@code geows.retention.[chat-*].age=30d}; the
     * tightest rule matching a room applies.
     */
    private Map<String, Keep> retention = new LinkedHashMap<>();
    private final HttpApi httpApi = new HttpApi();

    /** JWT settings: exactly one of secret, jwks-file and public-key-file. */
    public static class Jwt {
        /** HS256 secret, 32 bytes or more. */
        private String secret;
        /** A JWKS file with the RSA/EC keys tokens are signed with. */
        private Path jwksFile;
        /** A PEM public key (RSA/EC) tokens are signed with. */
        private Path publicKeyFile;
        /** The required iss claim. */
        private String issuer;
        /** The required aud claim. */
        private String audience;

        public String getSecret() {
            return secret;
        }

        public void setSecret(String secret) {
            this.secret = secret;
        }

        public Path getJwksFile() {
            return jwksFile;
        }

        public void setJwksFile(Path jwksFile) {
            this.jwksFile = jwksFile;
        }

        public Path getPublicKeyFile() {
            return publicKeyFile;
        }

        public void setPublicKeyFile(Path publicKeyFile) {
            this.publicKeyFile = publicKeyFile;
        }

        public String getIssuer() {
            return issuer;
        }

        public void setIssuer(String issuer) {
            this.issuer = issuer;
        }

        public String getAudience() {
            return audience;
        }

        public void setAudience(String audience) {
            this.audience = audience;
        }
    }

    /** wss:// from PEM files. */
    public static class Tls {
        /** The PEM certificate chain. */
        private Path certificate;
        /** The PEM private key (PKCS#8). */
        private Path privateKey;

        public Path getCertificate() {
            return certificate;
        }

        public void setCertificate(Path certificate) {
            this.certificate = certificate;
        }

        public Path getPrivateKey() {
            return privateKey;
        }

        public void setPrivateKey(Path privateKey) {
            this.privateKey = privateKey;
        }
    }

    /** Per-session limits; each one left unset keeps the node's default. */
    public static class Limits {
        /** The largest client frame in bytes; larger ones close the session with 1009. */
        private Integer maxFrameBytes;
        /** Rooms one session may join. */
        private Integer maxRoomsPerSession;
        /** Frames per second per session (0: no limit). */
        private Integer messagesPerSecond;
        /** Frames a session may send at once above its rate. */
        private Integer messageBurst;
        /** Open connections per client address (0: no limit). */
        private Integer maxConnectionsPerAddress;

        public Integer getMaxFrameBytes() {
            return maxFrameBytes;
        }

        public void setMaxFrameBytes(Integer maxFrameBytes) {
            this.maxFrameBytes = maxFrameBytes;
        }

        public Integer getMaxRoomsPerSession() {
            return maxRoomsPerSession;
        }

        public void setMaxRoomsPerSession(Integer maxRoomsPerSession) {
            this.maxRoomsPerSession = maxRoomsPerSession;
        }

        public Integer getMessagesPerSecond() {
            return messagesPerSecond;
        }

        public void setMessagesPerSecond(Integer messagesPerSecond) {
            this.messagesPerSecond = messagesPerSecond;
        }

        public Integer getMessageBurst() {
            return messageBurst;
        }

        public void setMessageBurst(Integer messageBurst) {
            this.messageBurst = messageBurst;
        }

        public Integer getMaxConnectionsPerAddress() {
            return maxConnectionsPerAddress;
        }

        public void setMaxConnectionsPerAddress(Integer maxConnectionsPerAddress) {
            this.maxConnectionsPerAddress = maxConnectionsPerAddress;
        }
    }

    /** Zones, pins and zone brokers (the same rules on every node). */
    public static class Residency {
        /** Every region of the deployment. */
        private List<String> allRegions = new ArrayList<>();
        /** Zones by name, each a list of regions. */
        private Map<String, List<String>> zones = new LinkedHashMap<>();
        /** Room patterns (a name, or a prefix and *) to the zone they are kept in. */
        private Map<String, String> pins = new LinkedHashMap<>();
        /** User patterns to the zone their sessions, presence and direct messages are kept in. */
        private Map<String, String> pinUsers = new LinkedHashMap<>();
        /** The broker URL of each zone this node's region belongs to. */
        private Map<String, String> zoneBrokers = new LinkedHashMap<>();

        public List<String> getAllRegions() {
            return allRegions;
        }

        public void setAllRegions(List<String> allRegions) {
            this.allRegions = allRegions;
        }

        public Map<String, List<String>> getZones() {
            return zones;
        }

        public void setZones(Map<String, List<String>> zones) {
            this.zones = zones;
        }

        public Map<String, String> getPins() {
            return pins;
        }

        public void setPins(Map<String, String> pins) {
            this.pins = pins;
        }

        public Map<String, String> getPinUsers() {
            return pinUsers;
        }

        public void setPinUsers(Map<String, String> pinUsers) {
            this.pinUsers = pinUsers;
        }

        public Map<String, String> getZoneBrokers() {
            return zoneBrokers;
        }

        public void setZoneBrokers(Map<String, String> zoneBrokers) {
            this.zoneBrokers = zoneBrokers;
        }
    }

    /** What one retention rule keeps: at most so many messages, none older than an age, or both. */
    public static class Keep {
        /** The most messages a room keeps (the oldest go first). */
        private Integer messages;
        /** How long a message is kept, such as 30d or 12h. */
        private Duration age;

        public Integer getMessages() {
            return messages;
        }

        public void setMessages(Integer messages) {
            this.messages = messages;
        }

        public Duration getAge() {
            return age;
        }

        public void setAge(Duration age) {
            this.age = age;
        }
    }

    /**
     * The HTTP server API for backends in other languages (publish, send to a user, broadcast, presence,
     * history, disconnect), served by the application's Spring MVC under {@link #path}; off unless enabled.
     */
    public static class HttpApi {
        /** Whether to serve it (needs spring-webmvc). */
        private boolean enabled;
        /** Where it is served. */
        private String path = "/api/v1";
        /** The API keys a request carries one of ({@code Authorization: Bearer <key>}), 32+ characters; several while one is rotated in. */
        private List<String> keys = new ArrayList<>();

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }

        public List<String> getKeys() {
            return keys;
        }

        public void setKeys(List<String> keys) {
            this.keys = keys;
        }
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getRegion() {
        return region;
    }

    public void setRegion(String region) {
        this.region = region;
    }

    public String getNodeId() {
        return nodeId;
    }

    public void setNodeId(String nodeId) {
        this.nodeId = nodeId;
    }

    public String getHost() {
        return host;
    }

    public void setHost(String host) {
        this.host = host;
    }

    public int getPort() {
        return port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    public String getPublicUrl() {
        return publicUrl;
    }

    public void setPublicUrl(String publicUrl) {
        this.publicUrl = publicUrl;
    }

    public String getBroker() {
        return broker;
    }

    public void setBroker(String broker) {
        this.broker = broker;
    }

    public Path getBrokerCa() {
        return brokerCa;
    }

    public void setBrokerCa(Path brokerCa) {
        this.brokerCa = brokerCa;
    }

    public boolean isAnonymous() {
        return anonymous;
    }

    public void setAnonymous(boolean anonymous) {
        this.anonymous = anonymous;
    }

    public String getInterRegionKeys() {
        return interRegionKeys;
    }

    public void setInterRegionKeys(String interRegionKeys) {
        this.interRegionKeys = interRegionKeys;
    }

    public List<String> getAllowedOrigins() {
        return allowedOrigins;
    }

    public void setAllowedOrigins(List<String> allowedOrigins) {
        this.allowedOrigins = allowedOrigins;
    }

    public Duration getDrainTimeout() {
        return drainTimeout;
    }

    public void setDrainTimeout(Duration drainTimeout) {
        this.drainTimeout = drainTimeout;
    }

    public Jwt getJwt() {
        return jwt;
    }

    public Tls getTls() {
        return tls;
    }

    public Limits getLimits() {
        return limits;
    }

    public Residency getResidency() {
        return residency;
    }

    public Map<String, Keep> getRetention() {
        return retention;
    }

    public void setRetention(Map<String, Keep> retention) {
        this.retention = retention;
    }

    public HttpApi getHttpApi() {
        return httpApi;
    }
}
