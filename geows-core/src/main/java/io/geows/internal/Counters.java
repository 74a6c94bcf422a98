package io.geows.internal;

import java.util.concurrent.atomic.LongAdder;

/** The node's counters; cheap to bump from any thread. */
public final class Counters {
    public final LongAdder framesIn = new LongAdder();
    public final LongAdder framesOut = new LongAdder();
    public final LongAdder badFrames = new LongAdder();
    public final LongAdder publishRejected = new LongAdder();
    public final LongAdder slowConsumers = new LongAdder();
    public final LongAdder brokerDropped = new LongAdder();
    public final LongAdder brokerReconnects = new LongAdder();
    public final LongAdder recoveredResumes = new LongAdder();
    public final LongAdder unrecoverableResumes = new LongAdder();
    public final LongAdder resumesFromMemory = new LongAdder();
    public final LongAdder brokerForged = new LongAdder();
    public final LongAdder brokerReplayed = new LongAdder();
    public final LongAdder rateLimited = new LongAdder();
    public final LongAdder connectionsRefused = new LongAdder();
    public final LongAdder accessDenied = new LongAdder();
    public final LongAdder tokensExpired = new LongAdder();
    public final LongAdder limitDisconnects = new LongAdder();
    public final LongAdder joinsRefused = new LongAdder();
}
