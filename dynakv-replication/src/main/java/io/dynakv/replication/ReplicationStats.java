package io.dynakv.replication;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters the replication code keeps for /stats and /metrics. Written by every event loop of the
 * node, read by the metrics endpoint, so they are adders, not plain fields.
 */
public final class ReplicationStats {

    /** Concurrent versions detected and resolved (DESIGN section 2: "counted in metrics"). */
    public final LongAdder conflicts = new LongAdder();

    /** Stale replicas repaired by a read. */
    public final LongAdder readRepairs = new LongAdder();

    /** Tombstones purged after their grace period. */
    public final LongAdder tombstonesPurged = new LongAdder();
}
