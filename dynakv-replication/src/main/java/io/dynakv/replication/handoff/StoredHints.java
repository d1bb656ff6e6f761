package io.dynakv.replication.handoff;

import io.dynakv.common.NodeId;
import io.dynakv.common.Versioned;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.replication.coordinator.HintSink;
import io.dynakv.replication.replica.KeyRef;
import io.dynakv.storage.Hint;
import io.dynakv.storage.StorageEngine;
import io.dynakv.storage.StorageFullException;
import io.dynakv.storage.StorageOverloadedException;

/**
 * Keeps hints in the node's storage, durable with the next group commit like any write. A target
 * that already has {@link HintReplayer.Limits#maxPerTarget} hints gets no more (as Cassandra stops
 * hinting a node down longer than its hint window): a long outage must not fill the disk with
 * hints, and anti-entropy repairs the writes they would have carried.
 */
public final class StoredHints implements HintSink {

    private final StorageEngine storage;
    private final ReplicationStats stats;
    private final long maxPerTarget;

    public StoredHints(StorageEngine storage, ReplicationStats stats, HintReplayer.Limits limits) {
        this.storage = storage;
        this.stats = stats;
        this.maxPerTarget = limits.maxPerTarget();
    }

    /**
     * On a full disk, or a disk so far behind that storage refuses writes, the hint is dropped,
     * not the coordinator: the write already has its outcome, and anti-entropy brings the replica
     * up to date once both are reachable (Dynamo section 4.7).
     */
    @Override
    public void hint(NodeId target, KeyRef key, Versioned version) {
        if (storage.hintCount(target) >= maxPerTarget) {
            stats.hintsDropped.increment();
            return;
        }
        try {
            storage.putHint(new Hint(0, target, key.partition(), key.table(), key.key(), version));
        } catch (StorageFullException | StorageOverloadedException e) {
            stats.hintsDropped.increment();
            return;
        }
        stats.hintsStored.increment();
    }
}
