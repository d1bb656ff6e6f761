package io.dynakv.node;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Finds the shard that owns a partition: partition p lives on shard p mod S, which spreads the
 * partitions evenly over the loops and never moves one while the node runs.
 */
public final class ShardRouter {

    private final AtomicReferenceArray<Shard> shards;

    ShardRouter(int shardCount) {
        this.shards = new AtomicReferenceArray<>(shardCount);
    }

    void register(Shard shard) {
        if (!shards.compareAndSet(shard.index(), null, shard)) {
            throw new IllegalStateException("shard " + shard.index() + " registered twice");
        }
    }

    public Shard forPartition(int partition) {
        Shard shard = shards.get(partition % shards.length());
        if (shard == null) {
            throw new IllegalStateException("shard for partition " + partition + " is not started");
        }
        return shard;
    }

    /** The shard at {@code index}, or null while it is still starting. */
    public Shard byIndex(int index) {
        return index >= 0 && index < shards.length() ? shards.get(index) : null;
    }

    public int size() {
        return shards.length();
    }
}
