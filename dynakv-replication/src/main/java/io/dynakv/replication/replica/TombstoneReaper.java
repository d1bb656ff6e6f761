package io.dynakv.replication.replica;

import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.common.Versioned;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.storage.PartitionRecord;
import io.dynakv.storage.StorageEngine;
import io.dynakv.storage.StorageFullException;
import java.util.List;
import java.util.Optional;

/**
 * Purges tombstones that every replica of their partition holds and that are older than the grace
 * period, one bounded slice per tick, walking one shard's partitions round-robin so the cost is
 * spread evenly and never stalls the loop.
 *
 * <p>Why both rules: a tombstone is what stops a replica that missed the delete from bringing the
 * value back through repair. Cassandra keeps it for {@code gc_grace_seconds} and relies on the
 * operator to repair every replica within that time; a replica down for longer brings deleted
 * values back. So a tombstone goes only once anti-entropy has shown that every other replica of
 * the partition holds it ({@link TombstoneHorizons}, as ScyllaDB's {@code tombstone_gc = repair}).
 * The grace then only covers what can arrive late without a replica holding it: a queued hint or
 * a delayed message carrying an older value (ScyllaDB's {@code propagation_delay_in_seconds}).
 *
 * <p>Clocks: the age is this node's wall clock minus the tombstone's HLC. A coordinator with a fast
 * clock stamps tombstones in the future, which only makes them wait longer here. This node's own
 * fast clock makes tombstones look older and shortens the grace by its offset, but never lets a
 * tombstone go before every replica holds it, which does not depend on any clock.
 *
 * <p>Runs on the loop that owns its partitions, so no write to a key can slip in between the check
 * that its tombstone expired and its removal.
 */
public final class TombstoneReaper {

    private final StorageEngine storage;
    private final TombstoneHorizons horizons;
    private final Scheduler scheduler;
    private final ReplicationStats stats;
    private final int[] partitions;
    private final int recordsPerTick;
    private final long tickNanos;
    private int partitionIndex;
    private String afterTable;
    private byte[] afterKey;

    /** @param horizons the rule: what is purgeable (the replica's, which it keeps informed) */
    public TombstoneReaper(
            StorageEngine storage,
            TombstoneHorizons horizons,
            Scheduler scheduler,
            ReplicationStats stats,
            int[] partitions,
            int recordsPerTick,
            long tickNanos) {
        if (recordsPerTick < 1 || tickNanos < 1) {
            throw new IllegalArgumentException("recordsPerTick and tickNanos must be positive");
        }
        this.storage = storage;
        this.horizons = horizons;
        this.scheduler = scheduler;
        this.stats = stats;
        this.partitions = partitions.clone();
        this.recordsPerTick = recordsPerTick;
        this.tickNanos = tickNanos;
    }

    /**
     * The replicas of a partition other than {@code self}, from its preference list; empty when
     * {@code self} is not among them (it holds no replica, so it has no say in what may go).
     */
    public static Optional<List<NodeId>> otherReplicas(NodeId self, List<NodeId> preferenceList) {
        if (!preferenceList.contains(self)) {
            return Optional.empty();
        }
        return Optional.of(preferenceList.stream().filter(n -> !n.equals(self)).toList());
    }

    /** Starts ticking on the calling loop. */
    public void start() {
        scheduler.schedule(tickNanos, this::tick);
    }

    private void tick() {
        step();
        scheduler.schedule(tickNanos, this::tick);
    }

    /** Examines the next slice of at most {@code recordsPerTick} records; returns how many it purged. */
    public int step() {
        if (partitions.length == 0) {
            return 0;
        }
        int partition = partitions[partitionIndex];
        List<PartitionRecord> records = storage.scanPartition(partition, afterTable, afterKey, recordsPerTick);
        int purged = 0;
        for (PartitionRecord record : records) {
            if (horizons.purgeable(partition, record.value()) && stillThere(partition, record)) {
                try {
                    storage.remove(partition, record.table(), record.key());
                } catch (StorageFullException e) {
                    stats.tombstonesPurged.add(purged);
                    return purged; // a full disk takes no deletes either: this slice again next tick
                }
                purged++;
            }
        }
        stats.tombstonesPurged.add(purged);
        if (records.size() < recordsPerTick) {
            partitionIndex = (partitionIndex + 1) % partitions.length; // this partition is done
            afterTable = null;
            afterKey = null;
        } else {
            PartitionRecord last = records.get(records.size() - 1);
            afterTable = last.table();
            afterKey = last.key();
        }
        return purged;
    }

    /** The scan may predate a newer write still pending in storage: purge only what is current. */
    private boolean stillThere(int partition, PartitionRecord record) {
        Optional<Versioned> current = storage.get(partition, record.table(), record.key());
        return current.isPresent() && current.get().equals(record.value());
    }
}
