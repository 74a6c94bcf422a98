package io.geows.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Redis primary with replicas and Redis Sentinels, one server and one Sentinel per "region", on
 * free loopback ports, for tests of losing the region that holds the primary: region 0 starts as
 * the primary, the others replicate it, and the Sentinels (a quorum of a majority) promote a replica
 * when the primary stops answering for {@link #DOWN_AFTER}.
 *
 * <pre>{@code
 * try (RedisSentinelGroup redis = RedisSentinelGroup.start(3)) {
 *     RedisBroker broker = RedisBroker.connect(redis.uri());   // redis-sentinel://...#geows
 *     redis.killRegion(0);                                      // the primary and its Sentinel
 *     int primary = redis.awaitNewPrimary(0, Duration.ofSeconds(10));
 * }
 * }</pre>
 *
 * @since 0.2.0
 */
public final class RedisSentinelGroup implements AutoCloseable {
    /** The name the Sentinels know the primary by: {@value}. */
    public static final String MASTER_NAME = "geows";
    /** How long the primary may not answer before the Sentinels call it down: 1 s. */
    public static final Duration DOWN_AFTER = Duration.ofSeconds(1);

    private final List<RedisServer> servers;
    private final List<RedisServer> sentinels;
    private final List<FaultProxy> proxies;

    private RedisSentinelGroup(List<RedisServer> servers, List<RedisServer> sentinels, List<FaultProxy> proxies) {
        this.servers = servers;
        this.sentinels = sentinels;
        this.proxies = proxies;
    }

    /**
     * Starts one Redis server and one Sentinel per region and waits until every replica is in sync
     * and every Sentinel knows the others.
     *
     * @param regions how many regions, at least 2 (3 to survive the loss of one with a majority)
     * @throws ServerProcessException when a process does not start or the group does not form in time
     */
    public static RedisSentinelGroup start(int regions) {
        return start(regions, Duration.ZERO);
    }

    /**
     * Starts one Redis server and one Sentinel per region with every Redis server behind a
     * {@link FaultProxy} of its region that adds {@code crossRegionLatency} each way: replicas,
     * Sentinels and clients all reach a server through its proxy (the servers announce the proxy's
     * port), so replication and every command pay the latency, even a client of the primary's own
     * region (a pessimistic layout: in production that client would be near).
     *
     * @param regions            how many regions, at least 2
     * @param crossRegionLatency one-way delay of every link to a server, zero or more
     * @throws ServerProcessException when a process does not start or the group does not form in time
     */
    public static RedisSentinelGroup start(int regions, Duration crossRegionLatency) {
        if (regions < 2) {
            throw new IllegalArgumentException("a Sentinel group needs at least 2 regions, was " + regions);
        }
        List<RedisServer> servers = new ArrayList<>();
        List<RedisServer> sentinels = new ArrayList<>();
        List<FaultProxy> proxies = new ArrayList<>();
        RedisSentinelGroup group = new RedisSentinelGroup(servers, sentinels, proxies);
        try {
            for (int i = 0; i < regions; i++) {
                RedisServer server = RedisServer.launch();
                servers.add(server);
                FaultProxy proxy = FaultProxy.start(Ports.LOOPBACK, server.port());
                proxy.setLatency(crossRegionLatency);
                proxies.add(proxy);
                group.announceProxy(i);
            }
            for (int i = 1; i < regions; i++) {
                command(servers.get(i).port(), "REPLICAOF", Ports.LOOPBACK, String.valueOf(proxies.get(0).port()));
            }
            for (int i = 0; i < regions; i++) {
                sentinels.add(RedisServer.builder().sentinel(MASTER_NAME, proxies.get(0).port(), regions / 2 + 1, DOWN_AFTER).start());
            }
            Await.until("replicas in sync and Sentinels that know each other", Duration.ofSeconds(30), () ->
                    group.info(servers.get(0).port(), "replication").contains("connected_slaves:" + (regions - 1))
                            && sentinels.stream().allMatch(s -> group.sentinelSees(s.port(), regions)));
            return group;
        } catch (IOException e) {
            group.close();
            throw new ServerProcessException("cannot set up the Redis replicas: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            group.close();
            throw e;
        }
    }

    /** Makes the region's server tell its primary (and so the Sentinels) that it is reached via its proxy. */
    private void announceProxy(int region) throws IOException {
        int port = servers.get(region).port();
        command(port, "CONFIG", "SET", "replica-announce-ip", Ports.LOOPBACK);
        command(port, "CONFIG", "SET", "replica-announce-port", String.valueOf(proxies.get(region).port()));
    }

    /** The URI a Lettuce client uses: {@code redis-sentinel://127.0.0.1:<s1>,...#geows}. */
    public String uri() {
        StringBuilder b = new StringBuilder("redis-sentinel://");
        for (int i = 0; i < sentinels.size(); i++) {
            b.append(i == 0 ? "" : ",").append(Ports.LOOPBACK).append(':').append(sentinels.get(i).port());
        }
        return b.append('#').append(MASTER_NAME).toString();
    }

    /** The Redis server of a region. */
    public RedisServer server(int region) {
        return servers.get(region);
    }

    /** The Sentinel of a region. */
    public RedisServer sentinel(int region) {
        return sentinels.get(region);
    }

    /**
     * The port of the primary as every running Sentinel names it; -1 while they disagree (a failover
     * in progress) or none answers.
     */
    public int primaryPort() {
        int agreed = -1;
        for (RedisServer s : sentinels) {
            if (!s.isRunning()) {
                continue;
            }
            try {
                List<String> addr = command(s.port(), "SENTINEL", "get-master-addr-by-name", MASTER_NAME);
                int port = addr.size() == 2 ? Integer.parseInt(addr.get(1)) : -1;
                if (port < 0 || (agreed >= 0 && port != agreed)) {
                    return -1;
                }
                agreed = port;
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
        return agreed;
    }

    /** The region whose server is the primary now, or -1. */
    public int primaryRegion() {
        int port = primaryPort();
        for (int i = 0; i < servers.size(); i++) {
            if (servers.get(i).port() == port || proxies.get(i).port() == port) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The address clients, replicas and Sentinels reach the region's server at ({@code 127.0.0.1:port},
     * its proxy's port), as the Sentinels name it when it is the primary.
     */
    public String address(int region) {
        return Ports.LOOPBACK + ":" + proxies.get(region).port();
    }

    /** The one-way delay of every link to a server. */
    public Duration crossRegionLatency() {
        return proxies.get(0).latency();
    }

    /**
     * Waits until the running Sentinels agree on a primary outside {@code lostRegion} and it says it
     * is one; returns its region.
     */
    public int awaitNewPrimary(int lostRegion, Duration timeout) {
        int[] region = {-1};
        Await.until("a replica promoted", timeout, () -> {
            region[0] = primaryRegion();
            return region[0] >= 0 && region[0] != lostRegion
                    && info(servers.get(region[0]).port(), "replication").contains("role:master");
        });
        return region[0];
    }

    /**
     * Kills the region's server and Sentinel (SIGKILL), as when a region's machines die: their
     * connections close and new ones are refused.
     */
    public void killRegion(int region) {
        sentinels.get(region).kill();
        servers.get(region).kill();
    }

    /**
     * Starts the region's server and Sentinel again on their ports and waits until the region has
     * caught up: every Sentinel names the same primary, and the server (back empty, without
     * persistence) is a replica of it with its link up. Until then a client asking the region's
     * Sentinel could be sent to the empty server, which answers as a primary until the Sentinels
     * demote it: start the region's nodes after this returns, as a region's start-up would.
     */
    public void restartRegion(int region) {
        servers.get(region).start();
        try {
            announceProxy(region);
        } catch (IOException e) {
            throw new ServerProcessException("cannot configure the restarted Redis server of region " + region, e);
        }
        sentinels.get(region).start();
        Await.until("region " + region + " back as a replica its Sentinel agrees on", Duration.ofSeconds(30), () -> {
            int primary = primaryRegion();
            String replication = info(servers.get(region).port(), "replication");
            return primary >= 0 && primary != region && replication.contains("role:slave")
                    && replication.contains("master_link_status:up");
        });
    }

    /** {@code INFO <section>} of a server, or "" when it does not answer. */
    public String info(int port, String section) {
        try {
            List<String> reply = command(port, "INFO", section);
            return reply.isEmpty() ? "" : reply.get(0);
        } catch (IOException e) {
            return "";
        }
    }

    private boolean sentinelSees(int port, int regions) {
        try {
            // the other Sentinels and the replicas (a Sentinel that knows no replica cannot promote one)
            List<String> master = command(port, "SENTINEL", "master", MASTER_NAME);
            boolean sentinels = false;
            boolean replicas = false;
            for (int i = 0; i + 1 < master.size(); i += 2) {
                if (master.get(i).equals("num-other-sentinels")) {
                    sentinels = Integer.parseInt(master.get(i + 1)) == regions - 1;
                } else if (master.get(i).equals("num-slaves")) {
                    replicas = Integer.parseInt(master.get(i + 1)) == regions - 1;
                }
            }
            return sentinels && replicas;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Sends one command in RESP and reads a bulk string or a flat array of bulk strings. */
    static List<String> command(int port, String... words) throws IOException {
        try (Socket socket = ManagedProcess.connect(port, 2000)) {
            socket.setSoTimeout(2000);
            StringBuilder out = new StringBuilder("*").append(words.length).append("\r\n");
            for (String w : words) {
                out.append('$').append(w.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(w).append("\r\n");
            }
            OutputStream os = socket.getOutputStream();
            os.write(out.toString().getBytes(StandardCharsets.UTF_8));
            os.flush();
            InputStream in = socket.getInputStream();
            List<String> result = new ArrayList<>();
            read(in, result);
            return result;
        }
    }

    private static void read(InputStream in, List<String> into) throws IOException {
        String line = ManagedProcess.readLine(in);
        if (line.isEmpty()) {
            throw new IOException("empty reply");
        }
        switch (line.charAt(0)) {
            case '$' -> {
                int n = Integer.parseInt(line.substring(1));
                if (n >= 0) {
                    byte[] b = in.readNBytes(n + 2);
                    into.add(new String(b, 0, n, StandardCharsets.UTF_8));
                }
            }
            case '*' -> {
                int n = Integer.parseInt(line.substring(1));
                for (int i = 0; i < n; i++) {
                    read(in, into);
                }
            }
            case '+', ':' -> into.add(line.substring(1));
            default -> throw new IOException("Redis answered " + line);
        }
    }

    /** Stops every process. */
    @Override
    public void close() {
        for (RedisServer s : sentinels) {
            s.close();
        }
        for (RedisServer s : servers) {
            s.close();
        }
        for (FaultProxy p : proxies) {
            p.close();
        }
    }
}
