package io.dynakv.sim;

import io.dynakv.common.NodeId;
import io.dynakv.common.Versioned;
import io.dynakv.storage.Hint;
import io.dynakv.storage.InMemoryStorageEngine;
import io.dynakv.storage.PartitionRecord;
import io.dynakv.storage.StorageEngine;
import io.dynakv.storage.StorageFullException;
import io.dynakv.storage.StorageStats;
import io.dynakv.storage.StoredRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One simulated machine's data directory: an {@link InMemoryStorageEngine} (which keeps only
 * fsynced writes through a power loss) that can also be <em>full</em>. A full disk refuses every
 * write, metadata included, with {@link StorageFullException}, at once, as the RocksDB engine does
 * once it has seen ENOSPC, and keeps serving reads.
 */
final class SimDisk implements StorageEngine {

    private final InMemoryStorageEngine engine = new InMemoryStorageEngine();
    private final String name;
    private boolean full;

    SimDisk(String name) {
        this.name = name;
    }

    InMemoryStorageEngine engine() {
        return engine;
    }

    void setFull(boolean nowFull) {
        full = nowFull;
    }

    /** Loses every write not yet synced (a power loss); returns the keys restored. */
    int crash() {
        return engine.crash();
    }

    private void refuseIfFull() {
        if (full) {
            throw new StorageFullException("the disk of " + name + " is full (simulated)");
        }
    }

    @Override
    public Optional<Versioned> get(int partition, String table, byte[] key) {
        return engine.get(partition, table, key);
    }

    @Override
    public long unsyncedSequence(int partition, String table, byte[] key) {
        return engine.unsyncedSequence(partition, table, key);
    }

    @Override
    public long put(int partition, String table, byte[] key, Versioned value) {
        refuseIfFull();
        return engine.put(partition, table, key, value);
    }

    @Override
    public long remove(int partition, String table, byte[] key) {
        refuseIfFull();
        return engine.remove(partition, table, key);
    }

    @Override
    public List<StoredRecord> scan(int partition, String table, byte[] prefix, byte[] afterKey, int limit) {
        return engine.scan(partition, table, prefix, afterKey, limit);
    }

    @Override
    public List<PartitionRecord> scanPartition(int partition, String afterTable, byte[] afterKey, int limit) {
        return engine.scanPartition(partition, afterTable, afterKey, limit);
    }

    @Override
    public long sync() {
        return engine.sync();
    }

    @Override
    public long flush() {
        return engine.flush();
    }

    @Override
    public long lastSequence() {
        return engine.lastSequence();
    }

    @Override
    public long putHint(Hint hint) {
        refuseIfFull();
        return engine.putHint(hint);
    }

    @Override
    public List<Hint> hints(NodeId target, long afterId, int limit) {
        return engine.hints(target, afterId, limit);
    }

    @Override
    public void removeHint(NodeId target, long id) {
        refuseIfFull();
        engine.removeHint(target, id);
    }

    @Override
    public List<NodeId> hintTargets() {
        return engine.hintTargets();
    }

    @Override
    public long hintCount(NodeId target) {
        return engine.hintCount(target);
    }

    @Override
    public long hintCount() {
        return engine.hintCount();
    }

    @Override
    public void putMeta(String metaName, byte[] value) {
        refuseIfFull();
        engine.putMeta(metaName, value);
    }

    @Override
    public void putMetas(Map<String, byte[]> values) {
        refuseIfFull();
        engine.putMetas(values);
    }

    @Override
    public void dropPartition(int partition) {
        refuseIfFull();
        engine.dropPartition(partition);
    }

    @Override
    public Optional<byte[]> getMeta(String metaName) {
        return engine.getMeta(metaName);
    }

    @Override
    public StorageStats stats() {
        return engine.stats();
    }

    @Override
    public void close() {
        engine.close();
    }
}
