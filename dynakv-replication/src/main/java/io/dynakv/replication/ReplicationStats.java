package io.dynakv.replication;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters the replication code keeps for /stats and /metrics. Written by every event loop of the
 * node, read by the metrics endpoint, so they are adders, not plain fields.
 */
public final class ReplicationStats {

    /** Concurrent versions detected and resolved (DESIGN section 2: "counted in metrics"). */
    public final LongAdder conflicts = new LongAdder();

    /**
     * Versions found with the same clock as the stored one but other contents, and resolved to the
     * same one on every replica: the mark of a successor stamped below its cause by an older release.
     */
    public final LongAdder divergedVersions = new LongAdder();

    /** Stale replicas repaired by a read. */
    public final LongAdder readRepairs = new LongAdder();

    /** Writes kept for replicas that missed them (hinted handoff). */
    public final LongAdder hintsStored = new LongAdder();

    /**
     * Hints not kept or given up: this node's disk was full or far behind, the target had its most
     * hints, a hint grew older than the hint age limit, or its target left the ring. Anti-entropy
     * repairs what they carried.
     */
    public final LongAdder hintsDropped = new LongAdder();

    /** Hints handed over to their replicas and deleted. */
    public final LongAdder hintsDelivered = new LongAdder();

    /** Tombstones purged after their grace period. */
    public final LongAdder tombstonesPurged = new LongAdder();
}
