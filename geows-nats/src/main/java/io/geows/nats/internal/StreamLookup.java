package io.geows.nats.internal;

import io.geows.BrokerUnavailableException;
import io.geows.GeoWsException;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.Placement;
import io.nats.client.api.Republish;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.api.StreamState;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The history stream as the server has it, for {@link HistoryStream}: looked up (and created, with a
 * new epoch, when it is missing), its epoch, its leader, and what its info says about one room.
 * Concurrent look-ups of the whole stream share one request.
 */
final class StreamLookup {
    private static final Logger log = LoggerFactory.getLogger(HistoryStream.class);

    private final JsApi api;
    private final Names names;
    private final HistoryStream.Config config;
    private final Object lock = new Object();
    private volatile String epoch;
    private volatile String leader;
    private CompletableFuture<Info> refreshing;

    StreamLookup(JsApi api, Names names, HistoryStream.Config config) {
        this.api = api;
        this.names = names;
        this.config = config;
    }

    /** The epoch last seen, or {@code null} before the stream was first looked at. */
    String epoch() {
        return epoch;
    }

    /** The server leading the stream in its last info (a clustered stream), or {@code null}. */
    String leader() {
        return leader;
    }

    /** What a stream info says about the stream and one room. */
    record Info(String epoch, long firstSeq, long maxPerRoom, long roomCount) {
    }

    /**
     * Reads the stream's info (creating the stream when it is missing) and updates the epoch.
     * Concurrent calls share one request.
     */
    CompletableFuture<String> refresh() {
        return info(null).thenApply(Info::epoch);
    }

    /**
     * Whether JetStream answers, with a short timeout (after a reconnect a recovering server may
     * not answer at all for a while): completes when it does, then refreshes the epoch.
     */
    CompletableFuture<String> probe(Duration timeout) {
        return api.streamInfo(config.stream(), null, timeout).thenCompose(info -> refresh());
    }

    /** The stream's info, with the number of messages of one room when {@code roomToken} is given. */
    CompletableFuture<Info> info(String roomToken) {
        if (roomToken != null) {
            return fetchInfo(roomToken);
        }
        synchronized (lock) {
            if (refreshing != null && !refreshing.isDone()) {
                return refreshing;
            }
            refreshing = fetchInfo(null);
            return refreshing;
        }
    }

    private CompletableFuture<Info> fetchInfo(String roomToken) {
        String filter = roomToken == null ? null : names.historySubject("*", roomToken);
        return api.streamInfo(config.stream(), filter).thenCompose(found -> {
            if (found.isPresent()) {
                return CompletableFuture.completedFuture(parse(found.get(), roomToken));
            }
            return create().thenApply(created -> parse(created, roomToken));
        }).thenApply(info -> {
            if (!info.epoch().equals(epoch)) {
                if (epoch != null) {
                    log.info("history stream {} on {} has a new epoch {} (was {}): its history was lost or recreated",
                            config.stream(), api.address(), info.epoch(), epoch);
                }
                epoch = info.epoch();
            }
            return info;
        });
    }

    private Info parse(StreamInfo info, String roomToken) {
        noteLeader(info.getClusterInfo() == null ? null : info.getClusterInfo().getLeader());
        List<String> subjects = info.getConfiguration().getSubjects();
        String found = subjects.size() == 1 ? names.epochOfFilter(subjects.get(0)) : null;
        if (found == null) {
            throw new GeoWsException("stream '" + config.stream() + "' on NATS at " + api.address()
                    + " exists but does not hold geows history (subjects " + subjects + ", expected one like '"
                    + names.historyFilter("<epoch>") + "'); delete it or configure another stream name");
        }
        StreamState state = info.getStreamState();
        long count = 0;
        if (roomToken != null) {
            Long n = state.getSubjectMap().get(names.historySubject(found, roomToken));
            count = n == null ? 0 : n;
        }
        return new Info(found, state.getFirstSequence(), info.getConfiguration().getMaxMsgsPerSubject(), count);
    }

    private CompletableFuture<StreamInfo> create() {
        String newEpoch = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        StreamConfiguration.Builder c = StreamConfiguration.builder()
                .name(config.stream())
                .description("geows room history, epoch " + newEpoch)
                .subjects(names.historyFilter(newEpoch))
                .retentionPolicy(RetentionPolicy.Limits)
                .storageType(config.storage().equals("memory") ? StorageType.Memory : StorageType.File)
                .discardPolicy(DiscardPolicy.Old)
                .maxBytes(config.maxBytes())
                .maxAge(config.maxAge())
                .maxMessagesPerSubject(config.maxPerRoom())
                .replicas(config.replicas())
                .duplicateWindow(config.duplicateWindow())
                .allowDirect(true)
                // every stored message goes on to its room's live subject, with its sequence and the room's previous one
                .republish(Republish.builder().source(names.historyFilter(newEpoch)).destination(names.liveFilter()).build());
        if (config.placement() != null) {
            c.placement(Placement.builder().cluster(config.placement()).build());
        }
        return api.createStream(c.build()).handle((info, err) -> {
            if (err == null) {
                log.info("created history stream {} (epoch {}) on {}", config.stream(), newEpoch, api.address());
                return CompletableFuture.completedFuture(info);
            }
            Throwable cause = JsApi.unwrap(err);
            if (cause instanceof JsApi.ApiError e && e.errCode() == 10058) {
                // Another node created it first: use theirs.
                return api.streamInfo(config.stream(), null).thenApply(o -> o.orElseThrow(() ->
                        new BrokerUnavailableException("history stream " + config.stream() + " on " + api.address()
                                + " was created and deleted at once; retry")));
            }
            if (cause instanceof JsApi.ApiError e) {
                return CompletableFuture.<StreamInfo>failedFuture(new BrokerUnavailableException("cannot create history stream '"
                        + config.stream() + "' on NATS at " + api.address() + ": " + e.getMessage()
                        + (config.placement() != null ? " (placement cluster '" + config.placement() + "')" : "")
                        + "; is JetStream enabled (nats-server -js) and does the account allow streams?", e));
            }
            return CompletableFuture.<StreamInfo>failedFuture(cause);
        }).thenCompose(f -> f);
    }

    /** The epoch last seen, or the stream's after a look at it. */
    CompletableFuture<String> currentEpoch() {
        String e = epoch;
        return e != null ? CompletableFuture.completedFuture(e) : refresh();
    }


    private void noteLeader(String now) {
        if (now == null || now.isEmpty()) {
            return; // no leader in this answer (an election, or a stream of one server)
        }
        String before = leader;
        leader = now;
        if (before != null && !before.equals(now)) {
            log.warn("history stream {} is now led by {} (was {})", config.stream(), now, before);
        }
    }
}
