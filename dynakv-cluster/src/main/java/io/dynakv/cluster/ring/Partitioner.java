package io.dynakv.cluster.ring;

import io.dynakv.common.KeyHash;

/** Maps a key to one of a fixed number of partitions by its 64-bit hash. */
public final class Partitioner {

    /** The default partition count Q: many more partitions than nodes keeps load even. */
    public static final int DEFAULT_PARTITIONS = 256;

    /** Partition numbers are stored in two bytes in front of every storage key. */
    public static final int MAX_PARTITIONS = 1 << 16;

    private final int partitions;

    public Partitioner(int partitions) {
        if (partitions < 1 || partitions > MAX_PARTITIONS) {
            throw new IllegalArgumentException("partition count must be 1.." + MAX_PARTITIONS + ", got " + partitions);
        }
        this.partitions = partitions;
    }

    public int partitions() {
        return partitions;
    }

    public int partitionOf(byte[] table, byte[] key) {
        return partitionOfHash(KeyHash.of(table, key));
    }

    /**
     * Splits the unsigned hash space into Q equal contiguous ranges: partition = floor(hash * Q /
     * 2^64). Ranges (rather than hash mod Q) keep the partitions of one node's vnodes contiguous.
     */
    public int partitionOfHash(long hash) {
        // Unsigned high word of hash * Q on Java 17 (Math.unsignedMultiplyHigh is Java 18+).
        long high = Math.multiplyHigh(hash, partitions) + (hash < 0 ? partitions : 0);
        return (int) high;
    }
}
