package io.geows.internal;

import io.geows.Envelope;
import io.geows.spi.BrokerMessage;
import io.geows.spi.HistorySlice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's checks on what comes from the broker: signature, shape, and the key a room message is
 * stored under. What fails is dropped, counted and logged once (then at debug), never delivered.
 */
final class BrokerGuard {
    private static final Logger log = LoggerFactory.getLogger(BrokerGuard.class);

    private final NodeContext node;

    BrokerGuard(NodeContext node) {
        this.node = node;
    }

    /**
     * The key a room message is appended to history under: per sender, so a client cannot suppress
     * someone else's message by reusing its id. Messages of the application (no sender) have keys
     * of their own: a user id is never empty.
     */
    static String messageKey(Envelope e) {
        return (e.from() == null ? "" : e.from()) + "\n" + e.id();
    }

    /**
     * Checks the signature and decodes. With inter-region keys the payload comes from a node, so the
     * fast path passes {@code data} through verbatim; without keys it is parsed and written again.
     */
    BrokerCodec.Decoded decode(byte[] payload) throws BrokerSeal.Forged {
        byte[] body = node.seal.open(payload);
        return node.seal.enabled() ? BrokerCodec.decodeTrusted(body) : BrokerCodec.decode(body);
    }

    /** Decodes a message of one kind; null (dropped and counted) when it is anything else. */
    BrokerCodec.Decoded decodeOrDrop(BrokerMessage m) {
        try {
            return decode(m.payload());
        } catch (BrokerSeal.Forged e) {
            dropForged(m, e.getMessage());
        } catch (IllegalArgumentException e) {
            dropBrokerMessage(m, e.getMessage());
        }
        return null;
    }

    /**
     * Decodes a room message; null (dropped and counted) when malformed, forged, for another room,
     * or read from history under a key that is not its own (a signed message appended again).
     */
    Envelope decodeRoomMessage(BrokerMessage m, String room) {
        BrokerCodec.Decoded d = decodeOrDrop(m);
        if (d == null) {
            return null;
        }
        if (!(d instanceof BrokerCodec.Message msg) || msg.envelope().kind() != Envelope.Kind.ROOM) {
            dropBrokerMessage(m, "not a room message");
            return null;
        }
        if (!msg.envelope().room().equals(room)) {
            dropBrokerMessage(m, "message for room '" + msg.envelope().room() + "' on the topic of room '" + room + "'");
            return null;
        }
        if (m.key() != null && !m.key().equals(messageKey(msg.envelope()))) {
            dropReplayed(m, "history entry at offset " + m.offset() + " was appended under another message's key");
            return null;
        }
        return msg.envelope();
    }

    /** A message that failed the inter-region signature check: dropped, counted, logged once. */
    void dropForged(BrokerMessage m, String why) {
        node.counters.brokerForged.increment();
        if (node.counters.brokerForged.sum() <= 1) {
            log.warn("node {} dropped a broker message on {} that is not signed with an inter-region key: {} "
                    + "(someone without the key publishes on the broker, or a node has other keys; further drops at debug)",
                    node.nodeId, m.topic(), why);
        } else {
            log.debug("node {} dropped a forged broker message on {}: {}", node.nodeId, m.topic(), why);
        }
    }

    /**
     * A correctly signed room message at a position history does not confirm (sent again under
     * another offset, or appended again under another key): dropped, counted, logged once.
     */
    void dropReplayed(BrokerMessage m, String why) {
        node.counters.brokerReplayed.increment();
        if (node.counters.brokerReplayed.sum() <= 1) {
            log.warn("node {} dropped a signed broker message on {} that history does not confirm: {} (someone who "
                    + "can write to the broker replays captured messages; further drops at debug)", node.nodeId, m.topic(), why);
        } else {
            log.debug("node {} dropped a replayed broker message on {}: {}", node.nodeId, m.topic(), why);
        }
    }

    /** Counts the history entries an adapter refused as written by someone else. */
    void historyRejected(HistorySlice slice, String room) {
        if (slice.rejected() == 0) {
            return;
        }
        node.counters.brokerForged.add(slice.rejected());
        if (node.counters.brokerForged.sum() <= slice.rejected()) {
            log.warn("node {} skipped {} entries in the history of room '{}' that no node wrote (someone else writes "
                    + "to the broker's history; further ones at debug)", node.nodeId, slice.rejected(), room);
        } else {
            log.debug("node {} skipped {} foreign history entries of room '{}'", node.nodeId, slice.rejected(), room);
        }
    }

    void dropBrokerMessage(BrokerMessage m, String why) {
        node.counters.brokerDropped.increment();
        if (node.counters.brokerDropped.sum() <= 1) {
            log.warn("node {} dropped a malformed message on {}: {} (further drops are logged at debug)", node.nodeId,
                    m.topic(), why);
        } else {
            log.debug("node {} dropped a malformed message on {}: {}", node.nodeId, m.topic(), why);
        }
    }
}
