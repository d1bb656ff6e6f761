package io.dynakv.replication.antientropy;

import io.dynakv.common.Versioned;
import io.dynakv.storage.PartitionRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Finds where two replicas' {@link MerkleTree}s disagree (Dynamo paper, section 4.7): starting at
 * the root, only the children of differing nodes are compared, so replicas that agree exchange one
 * hash and k differing buckets cost at most about 2k hashes per level.
 *
 * <p>Over the network the exchange goes level by level: the initiator asks for the peer's hashes of
 * some nodes at one level, {@link #differing} keeps those that differ from its own, {@link
 * #children} names the nodes to ask for next, and at the leaf level the survivors are the buckets
 * to repair. {@link #differingBuckets} runs the same steps against a local copy of the peer's tree.
 * Then {@link #differingRecords} compares the two sides' records of one bucket, key by key.
 */
public final class MerkleDiff {

    /** Orders (table, key) by table (UTF-16 order, as {@link String#compareTo}) then unsigned key bytes. */
    private static final Comparator<TableKey> ORDER =
            Comparator.comparing(TableKey::table).thenComparing(TableKey::key, Arrays::compareUnsigned);

    private MerkleDiff() {}

    /**
     * One (table, key) whose record differs between the sides: absent on one, or present on both
     * with different clocks or contents. The versions are returned so the caller can repair in either
     * direction.
     */
    public record RecordDifference(String table, byte[] key, Optional<Versioned> local, Optional<Versioned> peer) {

        @Override
        public boolean equals(Object o) {
            return o instanceof RecordDifference d
                    && table.equals(d.table)
                    && Arrays.equals(key, d.key)
                    && local.equals(d.local)
                    && peer.equals(d.peer);
        }

        @Override
        public int hashCode() {
            return (31 * table.hashCode() + Arrays.hashCode(key)) * 31 + local.hashCode() * 7 + peer.hashCode();
        }

        @Override
        public String toString() {
            return "RecordDifference{" + table + "/" + Arrays.toString(key) + ", local=" + local + ", peer=" + peer
                    + "}";
        }
    }

    /** The buckets (leaf indexes, ascending) whose hashes differ, descending only into differing subtrees. */
    public static int[] differingBuckets(MerkleTree local, MerkleTree peer) {
        checkComparable(local, peer);
        int[] frontier = {0};
        for (int level = 0; ; level++) {
            long[] peerHashes = new long[frontier.length];
            for (int i = 0; i < frontier.length; i++) {
                peerHashes[i] = peer.nodeHash(level, frontier[i]);
            }
            int[] differ = differing(local, level, frontier, peerHashes);
            if (level == local.depth() || differ.length == 0) {
                return differ;
            }
            frontier = children(differ);
        }
    }

    /**
     * One step of the level-by-level exchange: of the nodes {@code indexes} at {@code level}, those
     * whose hash in {@code local} differs from the peer's ({@code peerHashes}, in the same order).
     */
    public static int[] differing(MerkleTree local, int level, int[] indexes, long[] peerHashes) {
        if (indexes.length != peerHashes.length) {
            throw new IllegalArgumentException(indexes.length + " indexes but " + peerHashes.length + " hashes");
        }
        int[] out = new int[indexes.length];
        int n = 0;
        for (int i = 0; i < indexes.length; i++) {
            if (local.nodeHash(level, indexes[i]) != peerHashes[i]) {
                out[n++] = indexes[i];
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** The children (at the next level) of the nodes {@code indexes}, ascending if they were. */
    public static int[] children(int[] indexes) {
        int[] out = new int[indexes.length * 2];
        for (int i = 0; i < indexes.length; i++) {
            out[2 * i] = 2 * indexes[i];
            out[2 * i + 1] = 2 * indexes[i] + 1;
        }
        return out;
    }

    /**
     * The records that differ between the two sides' records of one bucket (or any key range), in
     * (table, key) order: present on one side only, or with different records (clock or contents),
     * matching what {@link MerkleTree#recordHash} covers. Each side must hold a (table, key) once.
     */
    public static List<RecordDifference> differingRecords(List<PartitionRecord> local, List<PartitionRecord> peer) {
        TreeMap<TableKey, Versioned> mine = index(local, "local");
        TreeMap<TableKey, Versioned> theirs = index(peer, "peer");
        List<RecordDifference> out = new ArrayList<>();
        for (Map.Entry<TableKey, Versioned> e : mine.entrySet()) {
            Versioned other = theirs.get(e.getKey());
            if (other == null || !e.getValue().equals(other)) {
                out.add(new RecordDifference(
                        e.getKey().table(), e.getKey().key(), Optional.of(e.getValue()), Optional.ofNullable(other)));
            }
        }
        for (Map.Entry<TableKey, Versioned> e : theirs.entrySet()) {
            if (!mine.containsKey(e.getKey())) {
                out.add(new RecordDifference(
                        e.getKey().table(), e.getKey().key(), Optional.empty(), Optional.of(e.getValue())));
            }
        }
        out.sort((a, b) -> ORDER.compare(new TableKey(a.table(), a.key()), new TableKey(b.table(), b.key())));
        return out;
    }

    private static TreeMap<TableKey, Versioned> index(List<PartitionRecord> records, String side) {
        TreeMap<TableKey, Versioned> out = new TreeMap<>(ORDER);
        for (PartitionRecord r : records) {
            if (out.put(new TableKey(r.table(), r.key()), r.value()) != null) {
                throw new IllegalArgumentException(
                        side + " records hold " + r.table() + "/" + Arrays.toString(r.key()) + " twice");
            }
        }
        return out;
    }

    private static void checkComparable(MerkleTree a, MerkleTree b) {
        if (a.leafCount() != b.leafCount() || a.partition() != b.partition()) {
            throw new IllegalArgumentException("trees not comparable: partition " + a.partition() + "/" + a.leafCount()
                    + " leaves vs partition " + b.partition() + "/" + b.leafCount() + " leaves");
        }
    }

    /** A (table, key) pair, compared by {@link #ORDER} only (so no equals or hashCode). */
    private static final class TableKey {
        private final String table;
        private final byte[] key;

        TableKey(String table, byte[] key) {
            this.table = table;
            this.key = key;
        }

        String table() {
            return table;
        }

        byte[] key() {
            return key;
        }
    }
}
