package io.dynakv.replication.replica;

import io.dynakv.common.Clock;
import io.dynakv.common.Hlc;
import io.dynakv.common.HlcClock;
import io.dynakv.common.NodeId;
import io.dynakv.common.Versioned;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * Which tombstones may be purged: {@link #purgeable} holds for a tombstone older than the grace
 * that every other replica of its partition is known to hold. The reaper purges by it.
 *
 * <p>Why anti-entropy leaves alone a tombstone past the grace that only one side holds (the other
 * holding nothing for the key): replicas purge at different moments, and copying the tombstone
 * back to one that purged it would make it wait for new rounds, during which it copies the
 * tombstone back to the others once they purged: they would take turns forever (measured in the
 * simulator: tombstones never drained). A replica that holds nothing has nothing to bring back;
 * what could still bring a value back is an input older than the grace, which the grace already
 * accepts (Cassandra leaves tombstones past gc_grace out of repair for the same reason).
 *
 * <p>What this node knows its co-replicas hold: per partition and per other replica, a
 * <em>horizon</em> H such that every tombstone this node stores in the partition with an HLC below
 * H is held by that replica too (or something newer: a version that descends or merged it). A
 * tombstone may be purged only below the horizon of every other replica of its partition: then no
 * replica can still hold a value the delete superseded, and none can bring it back (ScyllaDB's
 * repair-based tombstone GC, {@code tombstone_gc = {'mode': 'repair'}}).
 *
 * <p>Where a horizon comes from: an anti-entropy round that this node started with replica B
 * and that completed made B hold everything this node's tree held when the round began. So the
 * round's start time by this node's HLC is a horizon for B, except for tombstones stored here
 * since the last round on the partition ended, which the tree may not have seen (a write can be
 * pending in storage, invisible to scans, for a moment): the horizon is lowered below each of
 * them. A tombstone stored after the round lowers every replica's horizon below it at once. So
 * the rule never depends on how an HLC relates to real time: a tombstone that arrives late (a
 * hint, a repair, a coordinator with a slow clock) is never taken as covered by an earlier round,
 * and a fast clock anywhere cannot make a replica look as if it held a tombstone it never saw.
 *
 * <p>Not durable, on purpose: after a restart no horizon is known, so nothing is purged on a
 * partition until a new round has completed with each of its other replicas. A replica that is
 * down gets no round, so while it is away nothing it may have missed is purged, however long that
 * is: a node that comes back after longer than the grace finds every delete it missed still there,
 * and anti-entropy gives it the tombstones instead of taking its old values.
 *
 * <p>Threads: each partition's entry is touched only on the event loop that owns the partition
 * (the replica's writes, the anti-entropy rounds and the reaper of a partition all run there);
 * the map of entries itself is concurrent because loops add entries for their own partitions.
 */
public final class TombstoneHorizons {

    private final HlcClock hlc;
    private final Clock clock;
    private final long graceMillis;
    private final IntFunction<Optional<List<NodeId>>> otherReplicas;
    private final Map<Integer, PartitionHorizon> partitions = new ConcurrentHashMap<>();

    /**
     * @param clock this node's wall clock, against which a tombstone's age is its HLC's distance
     * @param graceMillis the least age of a purgeable tombstone (not negative)
     * @param otherReplicas a partition's replicas other than this node; empty when this node holds
     *     no replica of it or knows no ring yet, and then nothing of the partition is purgeable
     */
    public TombstoneHorizons(
            HlcClock hlc, Clock clock, long graceMillis, IntFunction<Optional<List<NodeId>>> otherReplicas) {
        if (graceMillis < 0) {
            throw new IllegalArgumentException("grace must not be negative: " + graceMillis);
        }
        this.hlc = hlc;
        this.clock = clock;
        this.graceMillis = graceMillis;
        this.otherReplicas = otherReplicas;
    }

    /** Horizons that never make anything purgeable (no replica is ever known): no tombstone GC. */
    public static TombstoneHorizons neverPurging(HlcClock hlc) {
        Clock epoch = new Clock() { // every tombstone is younger than a grace of 0 at time 0
                    @Override
                    public long nowNanos() {
                        return 0;
                    }

                    @Override
                    public long wallMillis() {
                        return 0;
                    }
                };
        return new TombstoneHorizons(hlc, epoch, 0, partition -> Optional.empty());
    }

    /**
     * True when {@code version} is a tombstone older than the grace (by this node's clock) and
     * every other replica of {@code partition} is known to hold it.
     */
    public boolean purgeable(int partition, Versioned version) {
        if (!pastGrace(version)) {
            return false;
        }
        Optional<List<NodeId>> others = otherReplicas.apply(partition);
        return others.isPresent() && heldByAll(partition, version.hlc(), others.get());
    }

    /**
     * True when {@code version} is a tombstone older than the grace by this node's clock (the
     * neverPurging rule has none). Anti-entropy does not copy such a tombstone to a replica that
     * holds nothing for its key, nor take one from a replica when it holds nothing itself.
     */
    public boolean pastGrace(Versioned version) {
        return version.isTombstone() && Hlc.millis(version.hlc()) < clock.wallMillis() - graceMillis;
    }

    /** The replica stored {@code version} in {@code partition}; a tombstone lowers the horizons below it. */
    void stored(int partition, Versioned version) {
        if (version.isTombstone()) {
            horizon(partition).lowerTo(version.hlc());
        }
    }

    /** The repair time of a round about to start: this node's HLC now. */
    public long repairTime() {
        return hlc.now();
    }

    /**
     * A round on {@code partition} with {@code peer}, which began at {@code repairTime} (from
     * {@link #repairTime}), completed: every repair it made was acknowledged durable by the peer.
     */
    public void repaired(int partition, NodeId peer, long repairTime) {
        horizon(partition).repaired(peer, repairTime);
    }

    /**
     * True when each of {@code otherReplicas} is known to hold this node's tombstones of the
     * partition up to and including HLC {@code tombstoneHlc} (or newer versions of their keys).
     */
    boolean heldByAll(int partition, long tombstoneHlc, List<NodeId> otherReplicas) {
        if (otherReplicas.isEmpty()) {
            return true; // the only replica: no one else can bring a deleted value back
        }
        PartitionHorizon horizon = partitions.get(partition);
        if (horizon == null) {
            return false;
        }
        for (NodeId replica : otherReplicas) {
            if (horizon.of(replica) <= tombstoneHlc) {
                return false;
            }
        }
        return true;
    }

    private PartitionHorizon horizon(int partition) {
        return partitions.computeIfAbsent(partition, p -> new PartitionHorizon());
    }

    /** One partition's horizons; used on its loop only. */
    private static final class PartitionHorizon {
        /** Other replica → horizon; absent: none known, nothing is covered. */
        private final Map<NodeId, Long> byReplica = new HashMap<>();
        /** The lowest HLC of a tombstone stored since the last completed round ended. */
        private long lowestSinceLastRound = Long.MAX_VALUE;

        void lowerTo(long tombstoneHlc) {
            lowestSinceLastRound = Math.min(lowestSinceLastRound, tombstoneHlc);
            byReplica.replaceAll((replica, horizon) -> Math.min(horizon, tombstoneHlc));
        }

        void repaired(NodeId peer, long repairTime) {
            byReplica.put(peer, Math.min(repairTime, lowestSinceLastRound));
            lowestSinceLastRound = Long.MAX_VALUE;
        }

        long of(NodeId replica) {
            return byReplica.getOrDefault(replica, Long.MIN_VALUE);
        }
    }
}
