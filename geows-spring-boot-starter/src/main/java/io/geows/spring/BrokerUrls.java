package io.geows.spring;

import io.geows.memory.InMemoryBroker;
import io.geows.spi.BrokerAdapter;
import java.nio.file.Path;
import java.util.Locale;
import org.springframework.util.ClassUtils;

/**
 * A broker adapter from a URL property, with the adapter module it needs on the class path or a
 * message naming the property and the module. The adapters are reached through holder classes, so
 * a module that is absent is never loaded.
 */
final class BrokerUrls {
    private BrokerUrls() {
    }

    static BrokerAdapter connect(String property, String url, String name, Path ca) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.equals("memory")) {
            return new InMemoryBroker().connect(name);
        }
        if (lower.startsWith("redis://") || lower.startsWith("rediss://")) {
            need(property, url, "io.geows.redis.RedisBroker", "geows-redis");
            return Redis.connect(url, name, ca);
        }
        if (lower.startsWith("nats://") || lower.startsWith("tls://")) {
            need(property, url, "io.geows.nats.NatsBroker", "geows-nats");
            return Nats.connect(url, name, ca);
        }
        if (lower.startsWith("kafka://") || lower.startsWith("kafkas://")) {
            need(property, url, "io.geows.kafka.KafkaBroker", "geows-kafka");
            return Kafka.connect(url, name, ca);
        }
        throw new IllegalStateException(property + " must be memory, redis://, rediss://, nats://, tls://, kafka:// or "
                + "kafkas://, was '" + redact(url) + "'");
    }

    private static void need(String property, String url, String type, String module) {
        if (!ClassUtils.isPresent(type, BrokerUrls.class.getClassLoader())) {
            throw new IllegalStateException(property + "=" + redact(url) + " needs io.geows:" + module
                    + " on the class path: add it as a dependency");
        }
    }

    static String redact(String url) {
        return url.replaceAll("//[^@/]*@", "//***@");
    }

    private static final class Redis {
        static BrokerAdapter connect(String url, String name, Path ca) {
            io.geows.redis.RedisBroker.Builder b = io.geows.redis.RedisBroker.builder().uri(url).name(name);
            if (ca != null) {
                b.trustedCertificates(ca);
            }
            return b.build();
        }
    }

    private static final class Nats {
        static BrokerAdapter connect(String url, String name, Path ca) {
            io.geows.nats.NatsBrokerOptions.Builder b = io.geows.nats.NatsBrokerOptions.builder().url(url).connectionName(name);
            if (ca != null) {
                b.trustedCertificates(ca);
            }
            return io.geows.nats.NatsBroker.connect(b.build());
        }
    }

    private static final class Kafka {
        static BrokerAdapter connect(String url, String name, Path ca) {
            io.geows.kafka.KafkaBroker.Builder b = io.geows.kafka.KafkaBroker.builder().uri(url).name(name);
            if (ca != null) {
                b.trustedCertificates(ca);
            }
            return b.build();
        }
    }
}
