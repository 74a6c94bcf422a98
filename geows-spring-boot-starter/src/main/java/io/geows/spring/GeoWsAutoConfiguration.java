package io.geows.spring;

import io.geows.Authenticator;
import io.geows.ConnectionListener;
import io.geows.GeoWsNode;
import io.geows.InterRegionKeys;
import io.geows.NodeLimits;
import io.geows.PublishInterceptor;
import io.geows.Residency;
import io.geows.Retention;
import io.geows.RoomAuthorizer;
import io.geows.ServerTls;
import io.geows.auth.JwtAuthenticator;
import io.geows.http.ApiKeys;
import io.geows.http.ServerApi;
import io.geows.micrometer.GeoWsMetrics;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerUrls;
import io.geows.spi.Router;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.RequestPredicates;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * Starts a geows node with the application: built from {@link GeoWsProperties} and the application's
 * beans ({@link Authenticator}, {@link RoomAuthorizer}, {@link Router}, {@link PublishInterceptor},
 * {@link RpcMethod}s, {@link ConnectionListener}s, a {@link BrokerAdapter} of its own), its meters in
 * the application's {@link MeterRegistry}, started by {@link GeoWsLifecycle} once the context is
 * ready and drained before the web server stops, with an Actuator health indicator ({@code geows})
 * that follows the node's readiness. The {@link GeoWsNode} bean is what the application injects to
 * publish, send and query.
 *
 * @since 0.1.0
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.prometheus.PrometheusMetricsExportAutoConfiguration",
        // the same on Spring Boot 4
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration"})
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
            p.getResidency().getZoneBrokers().forEach((zone, url) -> {
                if (url.equalsIgnoreCase(p.getBroker())) {
                    throw new IllegalStateException("geows.residency.zone-brokers." + zone + " is the global broker (geows.broker):"
                            + " a zone's data lives on a broker of its own");
                }
            });
            b.residency(residency);
            p.getResidency().getZoneBrokers().forEach((zone, url) -> b.zoneBroker(zone,
                    broker("geows.residency.zone-brokers." + zone, url, nodeId + "-" + zone, p)));
        }
        b.retention(retention(p.getRetention()));
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

    /** The Actuator health indicator, when Actuator is there (Spring Boot 3). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
    static class Health {
        @Bean(name = "geowsHealthIndicator")
        @ConditionalOnMissingBean(name = "geowsHealthIndicator")
        GeoWsHealthIndicator geowsHealthIndicator(GeoWsNode node) {
            return new GeoWsHealthIndicator(node);
        }
    }

    /** The same on Spring Boot 4, whose health API moved to {@code org.springframework.boot.health.contributor}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    @ConditionalOnMissingClass("org.springframework.boot.actuate.health.HealthIndicator")
    static class Boot4Health {
        @Bean(name = "geowsHealthIndicator")
        @ConditionalOnMissingBean(name = "geowsHealthIndicator")
        GeoWsBoot4HealthIndicator geowsHealthIndicator(GeoWsNode node) {
            return new GeoWsBoot4HealthIndicator(node);
        }
    }

    /**
     * The HTTP server API ({@link ServerApi}) in the application's Spring MVC, when
     * {@code geows.http-api.enabled=true}: requests under {@code geows.http-api.path} go through the
     * Spring filter chain (Spring Security included) and then to the node.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.web.servlet.function.RouterFunction")
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnProperty(prefix = "geows.http-api", name = "enabled")
    static class HttpApiConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "geowsHttpApi")
        RouterFunction<ServerResponse> geowsHttpApi(GeoWsNode node, GeoWsProperties p) {
            String base = p.getHttpApi().getPath().replaceAll("/+$", "");
            if (!base.startsWith("/")) {
                throw new IllegalStateException("geows.http-api.path must start with /, was '" + base + "'");
            }
            if (p.getHttpApi().getKeys().isEmpty()) {
                throw new IllegalStateException("geows.http-api.enabled needs geows.http-api.keys: one or more keys of 32+ "
                        + "characters (generate one with: openssl rand -hex 32)");
            }
            ServerApi api;
            try {
                api = new ServerApi(node, ApiKeys.of(p.getHttpApi().getKeys()));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("geows.http-api.keys: " + e.getMessage());
            }
            return RouterFunctions.route(RequestPredicates.path(base + "/**"), request -> {
                HttpServletRequest r = request.servletRequest();
                String path = r.getRequestURI().substring(r.getContextPath().length() + base.length());
                ServerApi.Response answer = api.handle(new ServerApi.Request(r.getMethod(), path, r.getQueryString(),
                        r.getHeader("Authorization"), r.getInputStream(), r.getRemoteAddr()));
                ServerResponse.BodyBuilder out = ServerResponse.status(answer.status())
                        .contentType(MediaType.APPLICATION_JSON).header("Cache-Control", "no-store");
                if (answer.authenticate()) {
                    out.header("WWW-Authenticate", "Bearer");
                }
                return out.body(answer.body());
            });
        }
    }

    private static Authenticator authenticator(GeoWsProperties p) {
        GeoWsProperties.Jwt jwt = p.getJwt();
        String secret = jwt.getSecret() == null || jwt.getSecret().isBlank() ? null : jwt.getSecret(); // ${ENV:} unset
        int sources = (secret == null ? 0 : 1) + (jwt.getJwksFile() == null ? 0 : 1)
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
            if (secret != null) {
                b.hmacSecret(secret.getBytes(StandardCharsets.UTF_8));
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

    private static Retention retention(java.util.Map<String, GeoWsProperties.Keep> rules) {
        Retention.Builder b = Retention.builder();
        rules.forEach((pattern, keep) -> {
            String property = "geows.retention.[" + pattern + "]";
            if (keep.getMessages() == null && keep.getAge() == null) {
                throw new IllegalStateException(property + " keeps everything: give messages, age or both");
            }
            if (keep.getMessages() != null && keep.getMessages() < 1) {
                throw new IllegalStateException(property + ".messages must be 1 or more, was " + keep.getMessages());
            }
            try {
                b.keep(pattern, keep.getMessages() == null ? 0 : keep.getMessages(), keep.getAge());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(property + ": " + e.getMessage());
            }
        });
        return b.build();
    }

    private static <T> T required(String property, T value) {
        if (value == null || (value instanceof String s && s.isBlank())) {
            throw new IllegalStateException(property + " is required");
        }
        return value;
    }
}
