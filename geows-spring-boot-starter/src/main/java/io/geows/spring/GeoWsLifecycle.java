package io.geows.spring;

import io.geows.GeoWsNode;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the node when the application context is ready (after the web server: it is in a later
 * phase), and on shutdown drains it first: clients get {@code goaway}, move to another region and
 * the node closes, before the web server's graceful shutdown begins.
 *
 * @since 0.1.0
 */
public class GeoWsLifecycle implements SmartLifecycle {
    /** After the web server starts ({@code DEFAULT_PHASE - 2048}) and its graceful shutdown ({@code - 1024}). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

    private final GeoWsNode node;
    private volatile boolean running;

    public GeoWsLifecycle(GeoWsNode node) {
        this.node = node;
    }

    @Override
    public void start() {
        node.start();
        running = true;
    }

    /** Drains: goaway to every client, wait for them to leave (the node's drain timeout), close. */
    @Override
    public void stop() {
        running = false;
        node.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
