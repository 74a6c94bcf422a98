/**
 * geows on NATS: {@link io.geows.nats.NatsBroker}, a {@link io.geows.spi.BrokerAdapter} with room
 * history on JetStream and presence in a JetStream key-value bucket, configured by
 * {@link io.geows.nats.NatsBroker.Builder}.
 *
 * <h2>Subjects</h2>
 * Core NATS carries what needs no history: {@code <prefix>.room.<room>} (presence events),
 * {@code <prefix>.node.<id>} (direct messages), {@code <prefix>.all} (broadcasts), names escaped by
 * {@link io.geows.Topics}. A node subscribes a room subject only while it has a local member
 * (interest-based), and every subscription of a node shares one jnats dispatcher: one thread for all
 * rooms, not one per room.
 *
 * <h2>History: one stream, its sequence is the offset</h2>
 * All rooms share one stream (default {@code GEOWS_HISTORY}) over
 * {@code <prefix>.history.<epoch>.<room>}, bounded by age, bytes and messages per room. An append is
 * a JetStream publish with {@code Nats-Msg-Id} = room and message key, so a repeat within the
 * duplicate window is acknowledged with the original sequence and not stored twice. The stream
 * <em>republishes</em> every stored message to {@code <prefix>.live.<room>}, with its sequence and the
 * room's previous sequence in headers; nodes receive room messages from there. Live delivery
 * therefore comes from the stream itself, in stream order, so offsets and delivery order always
 * agree: two nodes appending 5 and 6 can never be seen as 6 then 5 (which would make the node drop
 * 5 as old). Republished messages are at-most-once; each carries the room's previous sequence
 * ({@code Nats-Last-Sequence}), which the adapter hands to the node as
 * {@link io.geows.spi.BrokerMessage#previous()}: the node reads any gap from the stream before going
 * on (a message republished while the connection was down, or before a new subscription's interest
 * crossed a gateway, is not lost), and confirms any position it cannot tie to the last one, since
 * whoever may publish on the live subject can send those headers too. History reads return only
 * entries whose {@code Nats-Msg-Id} is a message id of the room (what a node's append writes), with
 * the message key it names; the node checks that key against the signed message.
 *
 * <p>Offsets are stream sequences: they increase per room but skip the numbers other rooms used
 * (the SPI allows that). Reads ({@code readAfter}, {@code position}) use direct gets on the room's
 * subject, one round trip per message: no consumer is created, so no server state is left behind
 * and no read needs the JetStream metadata leader (except with {@code replicas > 1}: then reads go to
 * the stream's leader with {@code STREAM.MSG.GET}, which servers refuse once the metadata group has
 * been without a leader for a while; see {@code docs/design-notes.md}). Whether a read is {@code complete} is decided from
 * what the stream keeps, relying on every limit trimming a room oldest first; see
 * {@code HistoryStream#readAfter} — the answer is exact when the reader's last message is still
 * stored, and conservative (may say "gap" when there was none) only at the edge of retention.
 *
 * <h2>Epoch</h2>
 * A random token chosen when the stream is created, and part of its subjects. A stream that is
 * deleted or lost (a server restarted without its store) is recreated by the first node that finds
 * it missing, with a new token; a node that still appends under the old token gets no answer (no
 * stream listens there), looks the stream up, and retries under the new one. Every stored and
 * republished message names its subject, so its epoch is never a guess.
 *
 * <h2>Presence</h2>
 * A key-value bucket (default {@code geows-presence}); see {@code KvPresence}. Each entry carries
 * the instance id of the adapter that wrote it and counts only while that node's heartbeat entry is
 * younger than the heartbeat's TTL (by the server's time stamp) and written by the same instance.
 *
 * <h2>Connection state</h2>
 * jnats reconnects by itself; see {@link io.geows.nats.NatsBroker} for how disconnects become
 * {@code LOST} and verified reconnects {@code RESTORED}, and why nothing is buffered.
 *
 * <h2>Credentials and TLS</h2>
 * A user and password or a token, in the URL or in {@link io.geows.nats.NatsBroker.Builder#credentials}
 * / {@link io.geows.nats.NatsBroker.Builder#token}; TLS with {@code tls://} URLs or a trust option
 * ({@link io.geows.nats.NatsBroker.Builder#trustedCertificates},
 * {@link io.geows.nats.NatsBroker.Builder#trustStore}). Connections the broker builds verify the
 * server's host name, which jnats by itself does not. A refused login or a failed handshake is a
 * {@link io.geows.GeoWsException} saying so, not a {@link io.geows.BrokerUnavailableException}: retrying
 * would not help.
 *
 * <h2>Regions: a super-cluster, one history home</h2>
 * Each region runs its own NATS cluster; gateways join them into a super-cluster and carry only
 * subjects with interest across. A node connects to its own region's servers only. The history
 * stream and presence bucket live in <em>one</em> cluster, the history home
 * ({@link io.geows.nats.NatsBroker.Builder#historyPlacement}), and every region appends and
 * reads there through the gateway. One stream is what makes a client's offsets valid in every
 * region, so it can resume anywhere; per-region streams would number the same room's messages
 * differently in each region. The price: appends from other regions pay a cross-region round trip,
 * and while the home cluster is unreachable the other regions refuse room publishes
 * ({@code unavailable}, never silently dropped) while direct messages between their local users
 * still work. The home region itself keeps serving when another region is lost — including when the
 * JetStream metadata group loses its quorum, since appends and direct gets do not need it once the
 * stream and the bucket exist (leader reads, message deletes and purges do: with {@code replicas(3)}
 * reads wait for a metadata leader too). Run the home cluster with three servers and {@code replicas(3)} for resilience.
 *
 * <h2>Regions: one cluster stretched over three, no history home</h2>
 * For a service that must survive the loss of any region, the history home included, run one
 * JetStream cluster with a server in each of three regions (routes, not gateways) and
 * {@link io.geows.nats.NatsBroker.Builder#replicas(int) replicas(3)}: a room publish is
 * acknowledged once a majority of regions stored it (one cross-region round trip more), and when the
 * stream leader's region is lost the others elect a new leader and go on with the same sequence and
 * epoch; meanwhile publishes are answered {@code unavailable}. A short
 * {@link io.geows.nats.NatsBroker.Builder#requestTimeout(java.time.Duration) requestTimeout}
 * (1 s) answers them sooner. {@link NatsBroker#placement()} names the stream's leader.
 *
 * @since 0.1.0
 */
package io.geows.nats;
