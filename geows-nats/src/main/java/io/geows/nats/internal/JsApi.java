package io.geows.nats.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.geows.BrokerUnavailableException;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.PurgeOptions;
import io.nats.client.api.ApiResponse;
import io.nats.client.api.MessageDeleteRequest;
import io.nats.client.api.MessageGetRequest;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.PurgeResponse;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.api.StreamInfoOptions;
import io.nats.client.api.SuccessApiResponse;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Asynchronous JetStream requests over one connection, without consumers: stream info and create,
 * direct get, purge, and publish with acknowledgement; none leaves state on the server. The requests
 * and replies are jnats' model ({@code StreamConfiguration}, {@code StreamInfo}, {@code MessageInfo},
 * ...); sending them is ours, because jnats' management and key-value calls all block and its
 * asynchronous publish times out on its own clock (see {@code docs/design-notes.md}, "NATS: what
 * jnats does and what we write"). Publishes and direct gets do not need the JetStream metadata
 * leader once the stream exists; leader reads ({@code STREAM.MSG.GET}), message deletes and purges
 * are refused once the metadata group has been without a leader for a while.
 *
 * <p>Results complete on {@code executor}, never on a jnats I/O thread. Failures are
 * {@link BrokerUnavailableException}s naming the server and the request, except JetStream errors
 * that are the caller's business ({@link ApiError}).
 */
public final class JsApi {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The least time a stream creation may take: {@value #MIN_CREATE_SECONDS} s. */
    public static final int MIN_CREATE_SECONDS = 10;
    private static final Duration MIN_CREATE_TIMEOUT = Duration.ofSeconds(MIN_CREATE_SECONDS);

    private final Connection connection;
    private final boolean leaderReads;
    private final Duration timeout;
    private final Executor executor;
    private final String address;

    public JsApi(Connection connection, Duration timeout, Executor executor, String address) {
        this(connection, timeout, executor, address, false);
    }

    /**
     * @param leaderReads read stored messages from the stream's leader ({@code STREAM.MSG.GET}) instead
     *                    of any replica ({@code DIRECT.GET}): a replica that is catching up (a region
     *                    back after a loss) answers direct gets from what it has, which may lack the
     *                    newest messages; a replicated stream's history must be read where it is whole
     */
    public JsApi(Connection connection, Duration timeout, Executor executor, String address, boolean leaderReads) {
        this.leaderReads = leaderReads;
        this.connection = connection;
        this.timeout = timeout;
        // After close the adapter's thread is gone: finish late replies on the caller instead of never.
        this.executor = r -> {
            try {
                executor.execute(r);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                r.run();
            }
        };
        this.address = address;
    }

    public String address() {
        return address;
    }

    public Executor executor() {
        return executor;
    }

    /** A JetStream API error ({@code {"error":{"code":..,"err_code":..}}}). */
    public static final class ApiError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int code;
        final int errCode;

        ApiError(int code, int errCode, String description) {
            super(description + " (" + code + "/" + errCode + ")");
            this.code = code;
            this.errCode = errCode;
        }

        public int code() {
            return code;
        }

        public int errCode() {
            return errCode;
        }
    }

    /** Nobody answered the request (no responders, or the timeout passed). */
    public static final class NoAnswer extends BrokerUnavailableException {
        private static final long serialVersionUID = 1L;

        NoAnswer(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A request; completes with the reply, or with {@link NoAnswer}. */
    CompletableFuture<Message> request(String subject, Headers headers, byte[] body) {
        return request(subject, headers, body, timeout);
    }

    CompletableFuture<Message> request(String subject, Headers headers, byte[] body, Duration timeout) {
        CompletableFuture<Message> reply;
        try {
            Message m = NatsMessage.builder().subject(subject).headers(headers).data(body).build();
            reply = connection.requestWithTimeout(m, timeout);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(unavailable(subject, e, timeout));
        }
        return within(subject, reply, timeout);
    }

    /**
     * {@code reply}, failed after {@code timeout} (jnats enforces its timeouts only on a periodic
     * clean-up, every few seconds) and completed on this API's executor, never on a jnats thread.
     */
    private <T> CompletableFuture<T> within(String subject, CompletableFuture<T> reply, Duration timeout) {
        CompletableFuture<T> out = new CompletableFuture<>();
        reply.orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).whenCompleteAsync((m, err) -> {
            if (err == null) {
                out.complete(m);
                return;
            }
            reply.cancel(true);
            out.completeExceptionally(unavailable(subject, unwrap(err), timeout));
        }, executor);
        return out;
    }

    private BrokerUnavailableException unavailable(String subject, Throwable cause, Duration timeout) {
        if (cause instanceof CancellationException || cause instanceof TimeoutException) {
            return new NoAnswer("no answer from NATS at " + address + " on " + subject + " within " + timeout.toMillis()
                    + " ms - is JetStream enabled and the stream reachable? the operation was not performed, retry later",
                    cause);
        }
        if (cause instanceof BrokerUnavailableException b) {
            return b;
        }
        return new BrokerUnavailableException("request to NATS at " + address + " on " + subject + " failed ("
                + cause + "); the operation was not performed, retry once it is reachable", cause);
    }

    public static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * A JetStream API reply read with jnats' own model ({@code StreamInfo}, {@code PurgeResponse},
     * ...); throws {@link ApiError} when it is a status (no JSON) or carries an error.
     */
    static <T extends ApiResponse<T>> T checked(Message m, Function<Message, T> read) {
        if (m.isStatusMessage()) {
            throw new ApiError(m.getStatus().getCode(), 0, m.getStatus().getMessage());
        }
        T reply;
        try {
            reply = read.apply(m);
        } catch (ApiError e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ApiError(500, 0, "unreadable JetStream reply: " + e.getMessage());
        }
        if (reply.hasError()) {
            throw new ApiError(reply.getErrorCode(), reply.getApiErrorCode(), reply.getDescription());
        }
        return reply;
    }

    private static boolean notFound(ApiError e, int apiErrorCode) {
        return e.code == 404 || e.errCode == apiErrorCode;
    }

    // ------------------------------------------------------------------ streams

    /** Stream info, optionally with the subjects matching {@code subjectsFilter}; empty when the stream does not exist. */
    public CompletableFuture<Optional<StreamInfo>> streamInfo(String stream, String subjectsFilter) {
        return streamInfo(stream, subjectsFilter, timeout);
    }

    /** As {@link #streamInfo(String, String)}, with its own timeout (a quick probe). */
    public CompletableFuture<Optional<StreamInfo>> streamInfo(String stream, String subjectsFilter, Duration timeout) {
        byte[] body = subjectsFilter == null ? new byte[0] : StreamInfoOptions.filterSubjects(subjectsFilter).serialize();
        return request("$JS.API.STREAM.INFO." + stream, null, body, timeout).thenApply(m -> {
            try {
                return Optional.of(checked(m, StreamInfo::new));
            } catch (ApiError e) {
                if (notFound(e, 10059)) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    /** Creates a stream; completes with its info, or {@link ApiError} (e.g. 10058: name in use). */
    public CompletableFuture<StreamInfo> createStream(StreamConfiguration config) {
        // Creating a replicated stream needs the metadata leader and every replica to agree: across
        // regions that takes longer than a publish. Done once per deployment.
        Duration createTimeout = timeout.compareTo(MIN_CREATE_TIMEOUT) < 0 ? MIN_CREATE_TIMEOUT : timeout;
        return request("$JS.API.STREAM.CREATE." + config.getName(), null, config.serialize(), createTimeout)
                .thenApply(m -> checked(m, StreamInfo::new));
    }

    /** Removes every message whose subject matches {@code filter}. */
    public CompletableFuture<Void> purge(String stream, String filter) {
        return purge(stream, PurgeOptions.subject(filter));
    }

    /**
     * Removes the oldest messages on one subject: all but the last {@code keep} when {@code keep > 0},
     * else those with a sequence below {@code below}.
     */
    public CompletableFuture<Void> purgeSubject(String stream, String subject, long keep, long below) {
        PurgeOptions.Builder options = PurgeOptions.builder().subject(subject);
        return purge(stream, keep > 0 ? options.keep(keep).build() : options.sequence(below).build());
    }

    private CompletableFuture<Void> purge(String stream, PurgeOptions options) {
        return request("$JS.API.STREAM.PURGE." + stream, null, options.serialize()).thenApply(m -> {
            checked(m, PurgeResponse::new);
            return null;
        });
    }

    /** Deletes one message, its storage overwritten ({@code STREAM.MSG.DELETE}); false when it was gone already. */
    public CompletableFuture<Boolean> deleteMessage(String stream, long seq) {
        byte[] body = new MessageDeleteRequest(seq, true).serialize();
        return request("$JS.API.STREAM.MSG.DELETE." + stream, null, body).thenApply(m -> {
            try {
                return checked(m, SuccessApiResponse::new).getSuccess();
            } catch (ApiError e) {
                if (notFound(e, 10037)) {
                    return false; // no message with that sequence
                }
                throw e;
            }
        });
    }

    // ------------------------------------------------------------------ messages

    /** A stored message as a direct get returns it. */
    public record Stored(long seq, String subject, Instant time, Headers headers, byte[] data) {
        public String header(String name) {
            return headers == null ? null : headers.getFirst(name);
        }
    }

    /** The first message with sequence {@code >= seq} on a subject (wildcards allowed); empty when none. */
    public CompletableFuture<Optional<Stored>> nextBySubject(String stream, long seq, String subject) {
        return directGet(stream, MessageGetRequest.nextForSubject(Math.max(1, seq), subject));
    }

    /** The last message on a subject; empty when none. */
    public CompletableFuture<Optional<Stored>> lastBySubject(String stream, String subject) {
        return directGet(stream, MessageGetRequest.lastForSubject(subject));
    }

    private CompletableFuture<Optional<Stored>> directGet(String stream, MessageGetRequest req) {
        if (leaderReads) {
            return leaderGet(stream, req);
        }
        return request("$JS.API.DIRECT.GET." + stream, null, req.serialize()).thenApply(m -> {
            if (m.isStatusMessage()) {
                if (m.getStatus().getCode() == 404) {
                    return Optional.empty();
                }
                throw new ApiError(m.getStatus().getCode(), 0, m.getStatus().getMessage());
            }
            if (m.getHeaders() == null || m.getHeaders().getFirst("Nats-Sequence") == null
                    || m.getHeaders().getFirst("Nats-Time-Stamp") == null) {
                throw new ApiError(500, 0, "direct get reply without Nats-Sequence or Nats-Time-Stamp");
            }
            // jnats reads the stored message's subject, sequence and time from the reply's headers
            // and leaves the message's own headers (Nats-Msg-Id, KV-Operation, ...)
            return Optional.of(stored(new MessageInfo(m, stream, true)));
        });
    }

    /** A stored message read through the stream's leader ({@code STREAM.MSG.GET}, answered in JSON). */
    private CompletableFuture<Optional<Stored>> leaderGet(String stream, MessageGetRequest req) {
        return request("$JS.API.STREAM.MSG.GET." + stream, null, req.serialize()).thenApply(m -> {
            if (m.isStatusMessage()) {
                if (m.getStatus().getCode() == 404) {
                    return Optional.empty();
                }
                throw new ApiError(m.getStatus().getCode(), 0, m.getStatus().getMessage());
            }
            MessageInfo info = new MessageInfo(m, stream, false); // jnats decodes the base64 headers and data
            if (info.hasError()) {
                if (info.getErrorCode() == 404 || info.getApiErrorCode() == 10037) {
                    return Optional.empty(); // no message found
                }
                throw new ApiError(info.getErrorCode(), info.getApiErrorCode(), info.getDescription());
            }
            return Optional.of(stored(info));
        });
    }

    private static Stored stored(MessageInfo info) {
        if (info.getTime() == null || info.getTime().getYear() < 1970) {
            // jnats reads a time it cannot parse as year 1: age retention would take the message for expired
            throw new ApiError(500, 0, "stored message " + info.getSeq() + " without a readable time");
        }
        Instant time = info.getTime().toInstant();
        byte[] data = info.getData() == null ? new byte[0] : info.getData();
        return new Stored(info.getSeq(), info.getSubject(), time, info.getHeaders(), data);
    }

    /** The acknowledgement of a JetStream publish. */
    public record Ack(String stream, long seq, boolean duplicate) {
    }

    /**
     * Publishes to a stream subject and waits for the acknowledgement, read with jnats' {@code PublishAck}.
     * Completes with {@link NoAnswer} when no stream listens on the subject. (Not jnats'
     * {@code publishAsync}: its futures time out after jnats' request clean-up interval, five seconds by
     * default, whatever this API's timeout says.)
     */
    public CompletableFuture<Ack> publish(String subject, Headers headers, byte[] data) {
        return request(subject, headers, data).thenApply(m -> {
            // PublishAck(Message) is what jnats' own publishes read their acknowledgement with
            PublishAck ack = checked(m, reply -> {
                try {
                    return new PublishAck(reply);
                } catch (JetStreamApiException e) {
                    throw new ApiError(e.getErrorCode(), e.getApiErrorCode(), e.getErrorDescription());
                } catch (IOException e) {
                    throw new ApiError(500, 0, "unreadable JetStream acknowledgement: " + e.getMessage());
                }
            });
            return new Ack(ack.getStream(), ack.getSeqno(), ack.isDuplicate());
        });
    }
}
