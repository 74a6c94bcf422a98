package io.geows.example.docs;

import io.geows.Authenticator;
import io.geows.ErasureReport;
import io.geows.GeoWsNode;
import io.geows.InterRegionKeys;
import io.geows.Residency;
import io.geows.Retention;
import io.geows.ServerTls;
import io.geows.client.GeoWsClient;
import io.geows.client.Message;
import io.geows.nats.NatsBroker;
import io.geows.redis.RedisBroker;
import io.geows.spi.BrokerAdapter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java examples of the README and {@code docs/} that are not part of a runnable example: compiled
 * with the build, and quoted by the docs between the snippet markers ({@code DocSnippetsTests} checks
 * that every Java block of the docs is one of these, word for word).
 */
@SuppressWarnings("unused")
final class DocExamples {
    private static final Logger log = LoggerFactory.getLogger(DocExamples.class);

    private DocExamples() {
    }

    static GeoWsNode nodeOnRedis(Authenticator jwt) {
        // snippet:readme-cluster
        GeoWsNode us = GeoWsNode.builder()
                .region("us-east")
                .broker(RedisBroker.connect("redis://user:secret@redis.internal:6379"))   // geows-redis
                // .broker(RedisBroker.builder().cluster("redis://10.0.0.1:7000", "redis://10.0.0.2:7000").build())
                // .broker(NatsBroker.connect("nats://user:secret@nats.us-east.internal:4222"))      // geows-nats
                .authenticator(jwt)
                .interRegionKeys(InterRegionKeys.parse(System.getenv("GEOWS_INTER_REGION_KEYS"))) // HMAC on broker messages
                .tls(ServerTls.pem(Path.of("fullchain.pem"), Path.of("privkey.pem")))            // wss://
                .build()
                .start();
        // end-snippet
        return us;
    }

    static void client(String myToken) {
        // snippet:readme-client
        GeoWsClient client = GeoWsClient.builder()
                .region("us-east", URI.create("wss://us.example.com/"))
                .region("eu-west", URI.create("wss://eu.example.com/"))
                .token(myToken)                                         // or tokenSupplier(...) for refreshes
                .build();
        client.connect().join();
        client.join("lobby", (Message m) -> log.info("{}: {}", m.from(), m.dataJson())).join();
        client.publish("lobby", Map.of("text", "hello")).join();    // completes with the node's ack (offset)
        String status = client.rpc("order.status", Map.of("order", "A-1")).join().dataJson();
        // end-snippet
    }

    static BrokerAdapter redisWithTls(char[] secret) {
        return
        // snippet:deployment-redis-tls
        RedisBroker.builder()
                .uri("rediss://redis.eu.internal:6380")
                .credentials("geows", secret)                              // or rediss://geows:secret@host:port
                .trustedCertificates(Path.of("/etc/geows/redis-ca.pem"))   // or .trustStore(p12, password)
                .build();
        // end-snippet
    }

    static BrokerAdapter natsWithTls(char[] secret) {
        return
        // snippet:deployment-nats-tls
        NatsBroker.builder()
                .url("tls://nats.us-east.internal:4222")
                .credentials("geows", secret)                              // or token(...), or tls://geows:secret@host:port
                .trustedCertificates(Path.of("/etc/geows/nats-ca.pem"))    // or .trustStore(p12, password)
                .build();
        // end-snippet
    }

    static GeoWsNode euNodeWithResidency(Authenticator jwt) {
        // snippet:compliance-node
        Residency residency = Residency.builder()
                .regions("eu-west", "eu-central", "us-east")        // every region of the deployment
                .zone("eu", "eu-west", "eu-central")
                .pin("eu-*", "eu")                                  // rooms named eu-... stay in the EU
                .pinUsers("eu.*", "eu")                             // so do these users' sessions and direct messages
                .build();
        Retention retention = Retention.builder()
                .keep("eu-*", 1_000, Duration.ofDays(30))           // at most 1,000 messages, none older than 30 days
                .build();
        GeoWsNode node = GeoWsNode.builder()
                .region("eu-west")
                .broker(RedisBroker.connect("redis://global-redis.internal:6379"))     // global rooms, the directory
                .zoneBroker("eu", RedisBroker.connect("redis://eu-redis.internal:6379")) // the EU zone's rooms
                .residency(residency)
                .retention(retention)
                .authenticator(jwt)
                .build()
                .start();
        ErasureReport report = node.eraseUser("eu.anna").join();     // every zone; report.removed() per zone
        // end-snippet
        return node;
    }
}
