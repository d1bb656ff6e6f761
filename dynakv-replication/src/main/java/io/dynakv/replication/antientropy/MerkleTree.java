package io.dynakv.replication.antientropy;

import io.dynakv.common.KeyHash;
import io.dynakv.common.Versioned;
import io.dynakv.common.codec.ByteWriter;
import io.dynakv.storage.PartitionRecord;
import io.dynakv.storage.StorageEngine;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A Merkle tree over one partition's records (Dynamo paper, section 4.7), comparable between
 * replicas: two replicas holding the same records have the same root, and the subtrees that differ
 * lead to the buckets holding the records that differ.
 *
 * <p><b>Shape.</b> A complete binary tree over a fixed number of leaf buckets ({@link
 * #DEFAULT_LEAF_COUNT} = 1024, a power of two). Levels are numbered from the root: level 0 holds
 * the root, level {@code d} holds {@code 2^d} nodes, the last level ({@link #depth()}) holds the
 * leaves. A record's bucket depends only on its (table, key), never on what else is stored, so the
 * same bucket means the same key range on every replica.
 *
 * <p><b>Bucket.</b> The top bits of a remix of {@link KeyHash} of (table, key). The partition is
 * itself a range of the top bits of that hash, so the top bits of the raw hash are nearly constant
 * within one partition; remixing with a salted 64-bit finalizer spreads the keys over every bucket.
 *
 * <p><b>Record hash.</b> 64 bits of MurmurHash3 ({@link KeyHash}) over (table, key, encoded version
 * vector, kind, HLC, writer, CRC-32C of the value): the whole record. The clock alone would
 * identify the version if every replica kept the invariant {@code Resolution} relies on, but a
 * successor once stamped below its cause can leave two replicas with equal clocks and different
 * contents (a value on one, the tombstone that deleted it on the other), which only a hash of the
 * contents can find. The encoding is unambiguous: the table holds no 0 byte and the key is
 * length-prefixed.
 *
 * <p><b>Leaf hash.</b> The XOR of the bucket's record hashes (0 for an empty bucket). XOR is
 * commutative, so the tree does not depend on the order records are added, and a leaf can later be
 * kept up to date on every write ({@code leaf ^= hash(old) ^ hash(new)}) instead of rescanned. XOR
 * cancels only equal hashes, and one replica never holds the same (table, key) twice, so two
 * different record sets collide only when their record hashes happen to XOR to the same value:
 * about 2^-64 for random data. (Not a defense against an adversary: replicas are trusted, and the
 * transport authenticates them.)
 *
 * <p><b>Inner hash.</b> A non-commutative 64-bit mix of the two children; a node whose subtree is
 * empty hashes to 0, so "the peer holds nothing here" is visible at any level.
 *
 * <p>Deterministic across JVMs and machines: only fixed byte encodings and MurmurHash3, no {@code
 * String.hashCode} and no identity hashes. Immutable once built.
 */
public final class MerkleTree {

    /** Leaves per tree unless told otherwise. Both sides of a comparison must use the same count. */
    public static final int DEFAULT_LEAF_COUNT = 1024;

    /** Records per storage scan when building from a {@link StorageEngine}, unless told otherwise. */
    public static final int DEFAULT_PAGE_SIZE = 256;

    /** The largest leaf count accepted (2^20 leaves: 16 MiB of node hashes). */
    public static final int MAX_LEAF_COUNT = 1 << 20;

    /** Salt of the bucket remix, so bucket bits are independent of the partition's hash range. */
    private static final long BUCKET_SALT = 0x9e3779b97f4a7c15L;

    private static final long MIX_LEFT = 0x87c37b91114253d5L;
    private static final long MIX_RIGHT = 0x4cf5ad432745937fL;

    private final int partition;
    private final int depth;

    /** The nodes as a heap: index 1 is the root, node i's children are 2i and 2i + 1. */
    private final long[] nodes;

    private final long recordCount;

    private MerkleTree(int partition, int depth, long[] nodes, long recordCount) {
        this.partition = partition;
        this.depth = depth;
        this.nodes = nodes;
        this.recordCount = recordCount;
    }

    /**
     * Builds the tree of {@code partition} by scanning {@code storage} {@code pageSize} records at a
     * time (every call asks for at most {@code pageSize}), so memory stays bounded whatever the
     * partition's size. The scan may miss unsynced writes (see {@link StorageEngine#scanPartition}):
     * anti-entropy only needs to converge eventually, and a missed write shows up next round.
     */
    public static MerkleTree build(StorageEngine storage, int partition, int leafCount, int pageSize) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("page size must be positive: " + pageSize);
        }
        Builder builder = builder(partition, leafCount);
        String afterTable = null;
        byte[] afterKey = null;
        while (true) {
            List<PartitionRecord> page = storage.scanPartition(partition, afterTable, afterKey, pageSize);
            if (page.size() > pageSize) {
                throw new IllegalStateException("scan returned " + page.size() + " records, limit " + pageSize);
            }
            for (PartitionRecord r : page) {
                builder.add(r.table(), r.key(), r.value());
            }
            if (page.size() < pageSize) {
                return builder.build();
            }
            PartitionRecord last = page.get(page.size() - 1);
            afterTable = last.table();
            afterKey = last.key();
        }
    }

    /** {@link #build(StorageEngine, int, int, int)} with the default leaf count and page size. */
    public static MerkleTree build(StorageEngine storage, int partition) {
        return build(storage, partition, DEFAULT_LEAF_COUNT, DEFAULT_PAGE_SIZE);
    }

    /** A builder to feed records in any order, for callers that page through storage themselves. */
    public static Builder builder(int partition, int leafCount) {
        return new Builder(partition, leafCount);
    }

    /** The bucket (leaf index) of a (table, key) in a tree of {@code leafCount} leaves. */
    public static int bucketOf(String table, byte[] key, int leafCount) {
        int depth = depthOf(leafCount);
        if (depth == 0) {
            return 0;
        }
        long remixed = fmix(KeyHash.of(table.getBytes(StandardCharsets.UTF_8), key) ^ BUCKET_SALT);
        return (int) (remixed >>> (Long.SIZE - depth));
    }

    /** The 64-bit hash of one whole record, see the class comment. */
    public static long recordHash(String table, byte[] key, Versioned version) {
        ByteWriter out = new ByteWriter(key.length + 40 + version.clock().size() * 10);
        out.writeLengthPrefixed(key);
        version.clock().writeTo(out);
        out.writeByte(version.kind().code());
        out.writeLong(version.hlc()).writeLong(version.writer().value());
        CRC32C valueCrc = new CRC32C();
        valueCrc.update(version.value());
        out.writeInt((int) valueCrc.getValue());
        return KeyHash.of(table.getBytes(StandardCharsets.UTF_8), out.toByteArray());
    }

    public int partition() {
        return partition;
    }

    public int leafCount() {
        return 1 << depth;
    }

    /** The level of the leaves: log2 of the leaf count. The root is level 0. */
    public int depth() {
        return depth;
    }

    /** Records hashed into the tree. */
    public long recordCount() {
        return recordCount;
    }

    public long root() {
        return nodes[1];
    }

    /** The hash of node {@code index} (0-based, left to right) at {@code level} (0: the root). */
    public long nodeHash(int level, int index) {
        if (level < 0 || level > depth) {
            throw new IllegalArgumentException("level " + level + " outside 0.." + depth);
        }
        if (index < 0 || index >= 1 << level) {
            throw new IllegalArgumentException("index " + index + " outside level " + level);
        }
        return nodes[(1 << level) + index];
    }

    /** The hash of leaf {@code bucket}: the XOR of its record hashes, 0 when empty. */
    public long leafHash(int bucket) {
        return nodeHash(depth, bucket);
    }

    /** The bucket of a (table, key) in this tree. */
    public int bucketOf(String table, byte[] key) {
        return bucketOf(table, key, leafCount());
    }

    static int depthOf(int leafCount) {
        if (leafCount < 1 || leafCount > MAX_LEAF_COUNT || Integer.bitCount(leafCount) != 1) {
            throw new IllegalArgumentException("leaf count must be a power of two in 1.." + MAX_LEAF_COUNT);
        }
        return Integer.numberOfTrailingZeros(leafCount);
    }

    /** The parent's hash: order matters (left, right); two empty subtrees give an empty parent. */
    static long combine(long left, long right) {
        if (left == 0 && right == 0) {
            return 0;
        }
        long h = fmix(fmix(left * MIX_LEFT + 1) ^ Long.rotateLeft(right * MIX_RIGHT, 31));
        return h == 0 ? 1 : h; // 0 is reserved for empty subtrees
    }

    /** MurmurHash3's 64-bit finalizer: a bijection that mixes every bit into every other. */
    private static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    /** Accumulates record hashes into leaves; {@link #build()} computes the inner nodes. */
    public static final class Builder {

        private final int partition;
        private final int depth;
        private final long[] nodes;
        private long recordCount;
        private boolean built;

        private Builder(int partition, int leafCount) {
            this.partition = partition;
            this.depth = depthOf(leafCount);
            this.nodes = new long[2 * leafCount];
        }

        /** Adds one record; each (table, key) must be added at most once. */
        public Builder add(String table, byte[] key, Versioned version) {
            if (built) {
                throw new IllegalStateException("builder already built");
            }
            int leaf = (1 << depth) + bucketOf(table, key, 1 << depth);
            nodes[leaf] ^= recordHash(table, key, version);
            recordCount++;
            return this;
        }

        public MerkleTree build() {
            if (built) {
                throw new IllegalStateException("builder already built");
            }
            built = true;
            for (int i = (1 << depth) - 1; i >= 1; i--) {
                nodes[i] = combine(nodes[2 * i], nodes[2 * i + 1]);
            }
            return new MerkleTree(partition, depth, nodes, recordCount);
        }
    }
}
