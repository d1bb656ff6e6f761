package io.dynakv.node;

import io.dynakv.common.Scheduler;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * Protocol timers on Vert.x: a timer set from an event loop fires on that loop, which is what
 * {@link Scheduler} promises. Vert.x timers have millisecond resolution, so delays round up.
 */
public final class VertxScheduler implements Scheduler {

    private final Vertx vertx;

    public VertxScheduler(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos + 999_999));
        long id = vertx.setTimer(millis, ignored -> task.run());
        return () -> vertx.cancelTimer(id);
    }
}
