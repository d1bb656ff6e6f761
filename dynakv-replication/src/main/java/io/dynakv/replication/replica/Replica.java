package io.dynakv.replication.replica;

import io.dynakv.common.HlcClock;
import io.dynakv.common.Versioned;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.storage.StorageEngine;
import java.util.Optional;

/**
 * A node's own copy of the keys it holds. Applying a version resolves it against the stored one
 * ({@link Resolution}) and stores the result; the caller waits for durability before acknowledging.
 * Single-key operations are atomic because a key's partition is owned by one event loop.
 */
public final class Replica {

    private final StorageEngine storage;
    private final HlcClock hlc;
    private final ReplicationStats stats;
    private final TombstoneHorizons horizons;

    /** A replica that never purges (no tombstone GC): for tests and tools. */
    public Replica(StorageEngine storage, HlcClock hlc, ReplicationStats stats) {
        this(storage, hlc, stats, TombstoneHorizons.neverPurging(hlc));
    }

    /** @param horizons this node's tombstone GC rule, which this replica keeps informed of its writes */
    public Replica(StorageEngine storage, HlcClock hlc, ReplicationStats stats, TombstoneHorizons horizons) {
        this.storage = storage;
        this.hlc = hlc;
        this.stats = stats;
        this.horizons = horizons;
    }

    /** Which of this replica's tombstones its co-replicas are known to hold: what may be purged. */
    public TombstoneHorizons horizons() {
        return horizons;
    }

    public Optional<Versioned> read(KeyRef key) {
        return storage.get(key.partition(), key.table(), key.key());
    }

    /**
     * Applies {@code incoming}. Returns the storage sequence the acknowledgement must wait for: the
     * new write's, or, when nothing was written, the latest one, because the stored version that
     * already contains the incoming one may itself not be durable yet.
     */
    public long apply(KeyRef key, Versioned incoming) {
        hlc.observe(incoming.hlc());
        Resolution resolution = Resolution.of(read(key), incoming);
        if (resolution.outcome() == Resolution.Outcome.CONCURRENT_MERGED) {
            stats.conflicts.increment();
        }
        if (!resolution.changesStorage()) {
            return storage.lastSequence();
        }
        long sequence = storage.put(key.partition(), key.table(), key.key(), resolution.result());
        horizons.stored(key.partition(), resolution.result());
        return sequence;
    }
}
