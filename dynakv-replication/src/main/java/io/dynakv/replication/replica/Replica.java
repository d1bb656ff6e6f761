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

    /** The storage sequence of the key's newest write that is not durable yet; 0 when none. */
    public long unsyncedSequence(KeyRef key) {
        return storage.unsyncedSequence(key.partition(), key.table(), key.key());
    }

    /**
     * Applies {@code incoming} where no one waits to hear what became of it (streams, anti-entropy).
     * Returns the storage sequence to wait for, as {@link #applyWrite} does.
     */
    public long apply(KeyRef key, Versioned incoming) {
        return applyWrite(key, incoming).sequence();
    }

    /**
     * Applies {@code incoming} and says what became of it, for the acknowledgement of a
     * coordinator's write. The sequence is the one the acknowledgement must wait for: the new
     * write's, or, when nothing was written, the latest one, because the stored version that
     * already contains the incoming one may itself not be durable yet.
     */
    public Applied applyWrite(KeyRef key, Versioned incoming) {
        hlc.observe(incoming.hlc());
        Optional<Versioned> stored = read(key);
        Resolution resolution = Resolution.of(stored, incoming);
        if (resolution.outcome() == Resolution.Outcome.CONCURRENT_MERGED) {
            stats.conflicts.increment();
        } else if (resolution.outcome().diverged()) {
            stats.divergedVersions.increment();
        }
        WriteEffect effect = WriteEffect.of(stored, resolution);
        if (!resolution.changesStorage()) {
            return new Applied(storage.lastSequence(), effect);
        }
        long sequence = storage.put(key.partition(), key.table(), key.key(), resolution.result());
        horizons.stored(key.partition(), resolution.result());
        return new Applied(sequence, effect);
    }

    /** A write applied: the storage sequence its durability waits for, and what became of it. */
    public record Applied(long sequence, WriteEffect effect) {}
}
