package io.dynakv.storage;

import io.dynakv.common.NodeId;
import io.dynakv.common.Versioned;
import java.util.Map;

/**
 * Fault model: the disk under the engine fills up and later has room again. While full, every
 * write (put, remove, hint, meta, sync, flush) throws {@link StorageFullException}, as the RocksDB
 * engine does; reads pass through. What the delegate accepted before stays there, so it becomes
 * durable with the first sync after {@link #empty()}.
 */
public final class FullDiskStorageEngine extends ForwardingStorageEngine {

    private volatile boolean full;

    public FullDiskStorageEngine(StorageEngine delegate) {
        super(delegate);
    }

    public void fill() {
        full = true;
    }

    public void empty() {
        full = false;
    }

    @Override
    public long put(int partition, String table, byte[] key, Versioned value) {
        refuseWhileFull();
        return super.put(partition, table, key, value);
    }

    @Override
    public long remove(int partition, String table, byte[] key) {
        refuseWhileFull();
        return super.remove(partition, table, key);
    }

    @Override
    public long putHint(Hint hint) {
        refuseWhileFull();
        return super.putHint(hint);
    }

    @Override
    public void removeHint(NodeId target, long id) {
        refuseWhileFull();
        super.removeHint(target, id);
    }

    @Override
    public void putMeta(String name, byte[] value) {
        refuseWhileFull();
        super.putMeta(name, value);
    }

    @Override
    public void putMetas(Map<String, byte[]> values) {
        refuseWhileFull();
        super.putMetas(values);
    }

    @Override
    public long sync() {
        refuseWhileFull();
        return super.sync();
    }

    @Override
    public long flush() {
        refuseWhileFull();
        return super.flush();
    }

    @Override
    public StorageStats stats() {
        StorageStats stats = super.stats();
        return new StorageStats(
                stats.estimatedKeys(), stats.diskBytes(), stats.memoryBytes(), full, stats.corruptRecords());
    }

    private void refuseWhileFull() {
        if (full) {
            throw new StorageFullException("the disk of the test engine is full (FullDiskStorageEngine)");
        }
    }
}
