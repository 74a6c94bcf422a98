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
 * @since 0.1.0
 */
public record NodeStats(int sessions, int rooms, long framesIn, long framesOut, long badFrames,
                        long publishRejected, long slowConsumerDisconnects, long brokerMessagesDropped,
                        long brokerReconnects, long recoveredResumes, long unrecoverableResumes) {
}
