package io.geows.spring;

import io.geows.Authenticator;
import io.geows.ConnectionListener;
import io.geows.GeoWsNode;
import io.geows.InterRegionKeys;
import io.geows.NodeLimits;
import io.geows.PublishInterceptor;
import io.geows.Residency;
import io.geows.RoomAuthorizer;
import io.geows.ServerTls;
import io.geows.auth.JwtAuthenticator;
import io.geows.micrometer.GeoWsMetrics;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerUrls;
import io.geows.spi.Router;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Starts a geows node with the application: built from {@link GeoWsProperties} and the application's
 * beans ({@link Authenticator}, {@link RoomAuthorizer}, {@link Router}, {@link PublishInterceptor},
 * {@link RpcMethod}s, {@link ConnectionListener}s, a {@link BrokerAdapter} of its own), its meters in
 * the application's {@link MeterRegistry}, started by {@link GeoWsLifecycle} once the context is
 * ready and drained before the web server stops, with an Actuator health indicator ({@code geows})
 * that follows the node's readiness. The {@link GeoWsNode} bean is what the application injects to
 * publish, send and query.
 *
 * @since 0.3.0
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.prometheus.PrometheusMetricsExportAutoConfiguration"})
@ConditionalOnProperty(prefix = "geows", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(GeoWsProperties.class)
public class GeoWsAutoConfiguration {

    /** The node (started by {@link GeoWsLifecycle}, closed with the context). */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public GeoWsNode geoWsNode(GeoWsProperties p, ObjectProvider<Authenticator> authenticator,
                               ObjectProvider<RoomAuthorizer> authorizer, ObjectProvider<Router> router,
                               ObjectProvider<PublishInterceptor> interceptor, ObjectProvider<RpcMethod> rpcMethods,
                               ObjectProvider<ConnectionListener> listeners, ObjectProvider<BrokerAdapter> broker,
                               ObjectProvider<MeterRegistry> meters) {
        String region = required("geows.region", p.getRegion());
        String nodeId = p.getNodeId() != null ? p.getNodeId() : region + "-" + UUID.randomUUID().toString().substring(0, 8);
        if (p.getPort() < 0 || p.getPort() > 65535) {
            throw new IllegalStateException("geows.port must be 0-65535 (0: any free port), was " + p.getPort());
        }
        GeoWsNode.Builder b = GeoWsNode.builder().region(region).nodeId(nodeId).host(p.getHost()).port(p.getPort())
                .publicUrl(p.getPublicUrl()).allowedOrigins(p.getAllowedOrigins()).drainTimeout(p.getDrainTimeout());
        b.authenticator(authenticator.getIfAvailable(() -> authenticator(p)));
        authorizer.ifAvailable(b::roomAuthorizer);
        if (authorizer.getIfAvailable() == null && p.isAnonymous()) {
            b.roomAuthorizer(RoomAuthorizer.allowAll());
        }
        router.ifAvailable(b::router);
        interceptor.ifAvailable(b::publishInterceptor);
        rpcMethods.orderedStream().forEach(m -> b.rpc(m.name(), m.handler()));
        listeners.orderedStream().forEach(b::connectionListener);
        try {
            b.interRegionKeys(InterRegionKeys.parse(p.getInterRegionKeys()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("geows.inter-region-keys: " + e.getMessage());
        }
        b.limits(limits(p.getLimits()));
        if (p.getTls().getCertificate() != null || p.getTls().getPrivateKey() != null) {
            b.tls(ServerTls.pem(required("geows.tls.certificate", p.getTls().getCertificate()),
                    required("geows.tls.private-key", p.getTls().getPrivateKey())));
        }
        Residency residency = residency(p.getResidency());
        if (residency != null) {
            // Checked before any broker is connected: a rule that does not fit is a configuration mistake.
            residency.checkNode(region, p.getResidency().getZoneBrokers().keySet());
            b.residency(residency);
            p.getResidency().getZoneBrokers().forEach((zone, url) -> b.zoneBroker(zone,
                    broker("geows.residency.zone-brokers." + zone, url, nodeId + "-" + zone, p)));
        }
        b.broker(broker.getIfAvailable(() -> broker("geows.broker", p.getBroker(), nodeId, p)));
        MeterRegistry registry = meters.getIfAvailable();
        GeoWsMetrics metrics = registry == null ? null : new GeoWsMetrics(registry, region, nodeId);
        if (metrics != null) {
            b.observer(metrics);
        }
        GeoWsNode node = b.build();
        if (metrics != null) {
            metrics.bind(node);
        }
        return node;
    }

    /** Starts the node once the context is ready; drains and closes it before the web server stops. */
    @Bean
    @ConditionalOnMissingBean
    public GeoWsLifecycle geoWsLifecycle(GeoWsNode node) {
        return new GeoWsLifecycle(node);
    }

    /** The Actuator health indicator, when Actuator is there. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class Health {
        @Bean(name = "geowsHealthIndicator")
        @ConditionalOnMissingBean(name = "geowsHealthIndicator")
        GeoWsHealthIndicator geowsHealthIndicator(GeoWsNode node) {
            return new GeoWsHealthIndicator(node);
        }
    }

    private static Authenticator authenticator(GeoWsProperties p) {
        GeoWsProperties.Jwt jwt = p.getJwt();
        int sources = (jwt.getSecret() == null ? 0 : 1) + (jwt.getJwksFile() == null ? 0 : 1)
                + (jwt.getPublicKeyFile() == null ? 0 : 1);
        if (p.isAnonymous()) {
            if (sources > 0) {
                throw new IllegalStateException("geows.anonymous and geows.jwt.* exclude each other");
            }
            return Authenticator.insecureTokenAsUserId();
        }
        if (sources != 1) {
            throw new IllegalStateException("clients must authenticate: set one of geows.jwt.secret, geows.jwt.jwks-file and "
                    + "geows.jwt.public-key-file, define an Authenticator bean, or set geows.anonymous=true for a demo");
        }
        JwtAuthenticator.Builder b = JwtAuthenticator.builder();
        try {
            if (jwt.getSecret() != null) {
                b.hmacSecret(jwt.getSecret().getBytes(StandardCharsets.UTF_8));
            } else if (jwt.getJwksFile() != null) {
                b.jwksFile(jwt.getJwksFile());
            } else {
                b.publicKeyPem(jwt.getPublicKeyFile());
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException("geows.jwt: " + e.getMessage(), e);
        }
        if (jwt.getIssuer() != null) {
            b.issuer(jwt.getIssuer());
        }
        if (jwt.getAudience() != null) {
            b.audience(jwt.getAudience());
        }
        return b.build();
    }

    private static NodeLimits limits(GeoWsProperties.Limits l) {
        NodeLimits.Builder b = NodeLimits.builder();
        try {
            if (l.getMaxFrameBytes() != null) {
                b.maxFrameBytes(l.getMaxFrameBytes());
            }
            if (l.getMaxRoomsPerSession() != null) {
                b.maxRoomsPerSession(l.getMaxRoomsPerSession());
            }
            if (l.getMessagesPerSecond() != null) {
                b.messagesPerSecond(l.getMessagesPerSecond());
            }
            if (l.getMessageBurst() != null) {
                b.messageBurst(l.getMessageBurst());
            }
            if (l.getMaxConnectionsPerAddress() != null) {
                b.maxConnectionsPerAddress(l.getMaxConnectionsPerAddress());
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("geows.limits: " + e.getMessage());
        }
    }

    private static Residency residency(GeoWsProperties.Residency r) {
        if (r.getPins().isEmpty() && r.getPinUsers().isEmpty() && r.getZones().isEmpty() && r.getZoneBrokers().isEmpty()) {
            return null;
        }
        try {
            Residency.Builder b = Residency.builder().regions(r.getAllRegions().toArray(String[]::new));
            r.getZones().forEach((zone, regions) -> b.zone(zone, regions.toArray(String[]::new)));
            r.getPins().forEach(b::pin);
            r.getPinUsers().forEach(b::pinUsers);
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("geows.residency: " + e.getMessage());
        }
    }

    /** A broker adapter from a URL property, through the adapter module on the class path. */
    private static BrokerAdapter broker(String property, String url, String name, GeoWsProperties p) {
        try {
            return BrokerUrls.connect(url, name, p.getBrokerCa());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(property + ": " + e.getMessage());
        }
    }

    private static <T> T required(String property, T value) {
        if (value == null || (value instanceof String s && s.isBlank())) {
            throw new IllegalStateException(property + " is required");
        }
        return value;
    }
}
