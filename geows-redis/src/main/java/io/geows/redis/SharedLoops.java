package io.geows.redis;

import io.geows.spi.IoThreads;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Lettuce on the process's shared I/O threads ({@link IoThreads}): Redis replies and room messages are
 * read by the same threads that write to the WebSocket connections. Lettuce never shuts them down.
 */
final class SharedLoops implements EventLoopGroupProvider {
    static final EventLoopGroupProvider PROVIDER = new SharedLoops();

    @Override
    @SuppressWarnings("unchecked")
    public <T extends EventLoopGroup> T allocate(Class<T> type) {
        return (T) IoThreads.shared();
    }

    @Override
    public int threadPoolSize() {
        return IoThreads.size();
    }

    @Override
    public Future<Boolean> release(EventExecutorGroup eventLoopGroup, long quietPeriod, long timeout, TimeUnit unit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }

    @Override
    public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit timeUnit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }
}
