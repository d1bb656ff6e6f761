package io.dynakv.replication;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters the replication code keeps for /stats and /metrics. Written by every event loop of the
 * node, read by the metrics endpoint, so they are adders, not plain fields.
 */
public final class ReplicationStats {

    /**
     * Concurrent versions this node's replica merged (DESIGN section 2: "counted in metrics"),
     * whoever sent them: a client write, a hint, read repair, anti-entropy or a stream. One conflict
     * is counted once by every replica that merges it, so this measures work, not client conflicts.
     */
    public final LongAdder conflicts = new LongAdder();

    /**
     * Versions found with the same clock as the stored one but other contents, and resolved to the
     * same one on every replica: the mark of a successor stamped below its cause by an older release.
     */
    public final LongAdder divergedVersions = new LongAdder();

    /**
     * Client writes coordinated here whose value was resolved away by a concurrent version, and
     * whose answer said so ({@code "conflict":"superseded"}). One per client write.
     */
    public final LongAdder writesSuperseded = new LongAdder();

    /**
     * Client writes coordinated here that met a concurrent version and were kept over it, whose
     * answer said so ({@code "conflict":"won"}): the other write's value is what was resolved away.
     */
    public final LongAdder writesWonConflict = new LongAdder();

    /** PATCHes applied again on top of a concurrent version they had not read (HTTP API). */
    public final LongAdder patchRetries = new LongAdder();

    /** PATCHes answered 409 because concurrent writes kept meeting them (HTTP API). */
    public final LongAdder patchConflicts = new LongAdder();

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
