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

/** Keeps hints in the node's storage, durable with the next group commit like any write. */
public final class StoredHints implements HintSink {

    private final StorageEngine storage;
    private final ReplicationStats stats;

    public StoredHints(StorageEngine storage, ReplicationStats stats) {
        this.storage = storage;
        this.stats = stats;
    }

    /**
     * On a full disk, or a disk so far behind that storage refuses writes, the hint is dropped,
     * not the coordinator: the write already has its outcome, and anti-entropy brings the replica
     * up to date once both are reachable (Dynamo section 4.7).
     */
    @Override
    public void hint(NodeId target, KeyRef key, Versioned version) {
        try {
            storage.putHint(new Hint(0, target, key.partition(), key.table(), key.key(), version));
        } catch (StorageFullException | StorageOverloadedException e) {
            stats.hintsDropped.increment();
            return;
        }
        stats.hintsStored.increment();
    }
}
