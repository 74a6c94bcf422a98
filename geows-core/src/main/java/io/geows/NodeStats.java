package io.geows;

/**
 * A snapshot of a node's counters, for tests, health pages and metrics bindings.
 *
 * @param sessions                 open authenticated sessions
 * @param rooms                    rooms with at least one local member
 * @param framesIn                 client frames received
 * @param framesOut                frames sent to clients
 * @param badFrames                client frames answered with a validation error
 * @param publishRejected          publishes refused because the broker was unreachable
 * @param slowConsumerDisconnects  sessions closed because their outbound buffer was full
 * @param brokerMessagesDropped    broker messages that could not be decoded (dropped, logged)
 * @param brokerReconnects         broker connection restorations
 * @param recoveredResumes         room resumes that replayed everything missed
 * @param unrecoverableResumes     room resumes with a gap (epoch changed or history too short)
 * @param brokerMessagesForged     broker messages whose inter-region signature did not verify, and history
 *                                 entries no node wrote (dropped)
 * @param rateLimited              client frames refused over the session's rate limit
 * @param connectionsRefused       connections closed before they became sessions: origin not allowed, too many
 *                                 per address, or no WebSocket upgrade within the hello timeout
 * @param accessDenied             joins, publishes and presence queries the room authorizer refused
 * @param tokensExpired            sessions closed because their token expired without a refresh
 * @param limitDisconnects         sessions closed for a limit: frame too big (1009), no hello in time (4000),
 *                                 flooding over the rate limit (4029)
 * @param brokerMessagesReplayed   correctly signed room messages dropped because history does not confirm
 *                                 their position: a captured message sent again under another offset, or
 *                                 appended to history again
 * @param resumesFromMemory        room resumes (counted in {@code recoveredResumes} too) answered from the
 *                                 messages the room keeps in memory, without a broker read
 * @since 0.1.0
 */
public record NodeStats(int sessions, int rooms, long framesIn, long framesOut, long badFrames,
                        long publishRejected, long slowConsumerDisconnects, long brokerMessagesDropped,
                        long brokerReconnects, long recoveredResumes, long unrecoverableResumes,
                        long brokerMessagesForged, long rateLimited, long connectionsRefused, long accessDenied,
                        long tokensExpired, long limitDisconnects, long brokerMessagesReplayed,
                        long resumesFromMemory) {
}
