package io.dynakv.node;

import io.dynakv.replication.coordinator.Coordinator;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * One event loop and the partitions it owns (shard-per-core, DESIGN section 3 "Threads"). All
 * protocol state of those partitions is touched only on this loop, so it needs no locks.
 */
public final class Shard {

    private final int index;
    private final Context context;
    private final Coordinator coordinator;

    Shard(int index, Context context, Coordinator coordinator) {
        this.index = index;
        this.context = context;
        this.coordinator = coordinator;
    }

    public int index() {
        return index;
    }

    /** Must only be used from a task passed to {@link #execute}. */
    public Coordinator coordinator() {
        return coordinator;
    }

    /** Runs {@code task} on this shard's loop: inline when already there, else enqueued. */
    public void execute(Runnable task) {
        if (Vertx.currentContext() == context) {
            task.run();
        } else {
            context.runOnContext(ignored -> task.run());
        }
    }
}
