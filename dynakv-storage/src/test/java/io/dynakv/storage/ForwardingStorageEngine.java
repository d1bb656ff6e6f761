package io.dynakv.storage;

import io.dynakv.common.NodeId;
import io.dynakv.common.Versioned;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Passes every call to another engine. Fault-injecting and instrumenting test decorators extend it
 * and override only what they change (as Voldemort's {@code DelegatingStore} does for its
 * {@code FailingStore}).
 */
public abstract class ForwardingStorageEngine implements StorageEngine {

    protected final StorageEngine delegate;

    protected ForwardingStorageEngine(StorageEngine delegate) {
        this.delegate = delegate;
    }

    @Override
    public Optional<Versioned> get(int partition, String table, byte[] key) {
        return delegate.get(partition, table, key);
    }

    @Override
    public long unsyncedSequence(int partition, String table, byte[] key) {
        return delegate.unsyncedSequence(partition, table, key);
    }

    @Override
    public long put(int partition, String table, byte[] key, Versioned value) {
        return delegate.put(partition, table, key, value);
    }

    @Override
    public long remove(int partition, String table, byte[] key) {
        return delegate.remove(partition, table, key);
    }

    @Override
    public List<StoredRecord> scan(int partition, String table, byte[] prefix, byte[] afterKey, int limit) {
        return delegate.scan(partition, table, prefix, afterKey, limit);
    }

    @Override
    public List<PartitionRecord> scanPartition(int partition, String afterTable, byte[] afterKey, int limit) {
        return delegate.scanPartition(partition, afterTable, afterKey, limit);
    }

    @Override
    public long putHint(Hint hint) {
        return delegate.putHint(hint);
    }

    @Override
    public List<Hint> hints(NodeId target, long afterId, int limit) {
        return delegate.hints(target, afterId, limit);
    }

    @Override
    public List<NodeId> hintTargets() {
        return delegate.hintTargets();
    }

    @Override
    public long hintCount(NodeId target) {
        return delegate.hintCount(target);
    }

    @Override
    public void removeHint(NodeId target, long id) {
        delegate.removeHint(target, id);
    }

    @Override
    public long hintCount() {
        return delegate.hintCount();
    }

    @Override
    public long sync() {
        return delegate.sync();
    }

    @Override
    public long flush() {
        return delegate.flush();
    }

    @Override
    public long lastSequence() {
        return delegate.lastSequence();
    }

    @Override
    public void putMeta(String name, byte[] value) {
        delegate.putMeta(name, value);
    }

    @Override
    public void putMetas(Map<String, byte[]> values) {
        delegate.putMetas(values);
    }

    @Override
    public void dropPartition(int partition) {
        delegate.dropPartition(partition);
    }

    @Override
    public Optional<byte[]> getMeta(String name) {
        return delegate.getMeta(name);
    }

    @Override
    public StorageStats stats() {
        return delegate.stats();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
