package io.dynakv.replication.replica;

import io.dynakv.common.Clock;
import io.dynakv.common.Hlc;
import io.dynakv.common.Scheduler;
import io.dynakv.common.Versioned;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.storage.PartitionRecord;
import io.dynakv.storage.StorageEngine;
import java.util.List;
import java.util.Optional;

/**
 * Purges tombstones older than the grace period, one bounded slice per tick, walking one shard's
 * partitions round-robin so the cost is spread evenly and never stalls the loop.
 *
 * <p>Why a grace period: a tombstone is what stops a replica that missed the delete from bringing
 * the value back through repair, so it must outlive every replica's chance to miss it (Cassandra's
 * gc_grace_seconds). On one node there is no such replica and any expired tombstone may go; the
 * cluster's anti-entropy makes every replica see a tombstone well within the grace period.
 *
 * <p>Runs on the loop that owns its partitions, so no write to a key can slip in between the check
 * that its tombstone expired and its removal.
 */
public final class TombstoneReaper {

    private final StorageEngine storage;
    private final Clock clock;
    private final Scheduler scheduler;
    private final ReplicationStats stats;
    private final long graceMillis;
    private final int[] partitions;
    private final int recordsPerTick;
    private final long tickNanos;
    private int partitionIndex;
    private String afterTable;
    private byte[] afterKey;

    public TombstoneReaper(
            StorageEngine storage,
            Clock clock,
            Scheduler scheduler,
            ReplicationStats stats,
            long graceMillis,
            int[] partitions,
            int recordsPerTick,
            long tickNanos) {
        if (recordsPerTick < 1 || tickNanos < 1 || graceMillis < 0) {
            throw new IllegalArgumentException(
                    "recordsPerTick and tickNanos must be positive, graceMillis not negative");
        }
        this.storage = storage;
        this.clock = clock;
        this.scheduler = scheduler;
        this.stats = stats;
        this.graceMillis = graceMillis;
        this.partitions = partitions.clone();
        this.recordsPerTick = recordsPerTick;
        this.tickNanos = tickNanos;
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
        long horizonMillis = clock.wallMillis() - graceMillis;
        int purged = 0;
        for (PartitionRecord record : records) {
            if (expired(record.value(), horizonMillis) && stillThere(partition, record)) {
                storage.remove(partition, record.table(), record.key());
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

    private static boolean expired(Versioned version, long horizonMillis) {
        return version.isTombstone() && Hlc.millis(version.hlc()) < horizonMillis;
    }

    /** The scan may predate a newer write still pending in storage: purge only what is current. */
    private boolean stillThere(int partition, PartitionRecord record) {
        Optional<Versioned> current = storage.get(partition, record.table(), record.key());
        return current.isPresent() && current.get().equals(record.value());
    }
}
