package io.dynakv.replication.antientropy;

import static io.dynakv.replication.antientropy.AntiEntropyFixtures.PARTITION;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.countingScans;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.naiveKey;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.newer;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.randomKey;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.randomTable;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.randomVersion;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.sameClockOtherContents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import io.dynakv.storage.InMemoryStorageEngine;
import io.dynakv.storage.PartitionRecord;
import io.dynakv.storage.StorageEngine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** A partition's Merkle tree depends only on the versions it holds, is built in bounded pages, and is stable. */
class MerkleTreeTest {

    private static List<PartitionRecord> randomRecords(SplittableRandom random, int count) {
        List<PartitionRecord> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < count; i++) {
            PartitionRecord r = new PartitionRecord(randomTable(random), randomKey(random), randomVersion(random));
            if (seen.add(naiveKey(r.table(), r.key()))) { // one version per key, so the order cannot matter
                out.add(r);
            }
        }
        return out;
    }

    private static InMemoryStorageEngine load(List<PartitionRecord> records) {
        InMemoryStorageEngine engine = new InMemoryStorageEngine();
        for (PartitionRecord r : records) {
            engine.put(PARTITION, r.table(), r.key(), r.value());
        }
        return engine;
    }

    @Property(tries = 200)
    void equalDataGivesEqualRootsWhateverTheInsertionOrder(
            @ForAll long seed, @ForAll @IntRange(min = 0, max = 300) int count) {
        SplittableRandom random = new SplittableRandom(seed);
        List<PartitionRecord> records = randomRecords(random, count);
        List<PartitionRecord> shuffled = new ArrayList<>(records);
        Collections.shuffle(shuffled, new Random(seed));
        InMemoryStorageEngine a = load(records);
        InMemoryStorageEngine b = load(shuffled);
        MerkleTree ta = MerkleTree.build(a, PARTITION);
        MerkleTree tb = MerkleTree.build(b, PARTITION, MerkleTree.DEFAULT_LEAF_COUNT, 1 + random.nextInt(40));
        assertThat(tb.root()).isEqualTo(ta.root());

        // A builder fed in any order gives the same tree as the storage scan.
        MerkleTree.Builder builder = MerkleTree.builder(PARTITION, MerkleTree.DEFAULT_LEAF_COUNT);
        List<PartitionRecord> stored = a.scanPartition(PARTITION, null, null, Integer.MAX_VALUE);
        List<PartitionRecord> storedShuffled = new ArrayList<>(stored);
        Collections.shuffle(storedShuffled, new Random(~seed));
        for (PartitionRecord r : storedShuffled) {
            builder.add(r.table(), r.key(), r.value());
        }
        MerkleTree fromBuilder = builder.build();
        assertThat(fromBuilder.root()).isEqualTo(ta.root());
        assertThat(fromBuilder.recordCount()).isEqualTo(ta.recordCount()).isEqualTo(stored.size());
        for (int level = 0; level <= ta.depth(); level++) {
            for (int i = 0; i < 1 << level; i++) {
                assertThat(fromBuilder.nodeHash(level, i)).isEqualTo(ta.nodeHash(level, i));
            }
        }
    }

    @Property(tries = 200)
    void aSingleChangedRecordChangesTheRoot(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 200) int count,
            @ForAll @IntRange(min = 0, max = 3) int change) {
        SplittableRandom random = new SplittableRandom(seed);
        InMemoryStorageEngine engine = load(randomRecords(random, count));
        List<PartitionRecord> stored = engine.scanPartition(PARTITION, null, null, Integer.MAX_VALUE);
        MerkleTree before = MerkleTree.build(engine, PARTITION);
        PartitionRecord victim = stored.get(random.nextInt(stored.size()));
        Versioned v = victim.value();
        Versioned changed =
                switch (change) {
                    case 0 -> newer(v, random);
                    case 1 -> v.isTombstone()
                            ? new Versioned(v.clock(), v.hlc(), v.writer(), ValueKind.JSON, new byte[0])
                            : Versioned.tombstone(v.clock(), v.hlc(), v.writer());
                    case 2 -> sameClockOtherContents(v);
                    default -> new Versioned(v.clock(), v.hlc(), v.writer(), v.kind(), otherBytes(v.value()));
                };
        engine.put(PARTITION, victim.table(), victim.key(), changed);
        MerkleTree after = MerkleTree.build(engine, PARTITION);

        assertThat(after.root()).isNotEqualTo(before.root());
        int bucket = before.bucketOf(victim.table(), victim.key());
        for (int b = 0; b < before.leafCount(); b++) {
            assertThat(after.leafHash(b) == before.leafHash(b))
                    .as("bucket %d", b)
                    .isEqualTo(b != bucket);
        }
    }

    /** The same length with one bit flipped, or one byte more when there is none to flip. */
    private static byte[] otherBytes(byte[] value) {
        if (value.length == 0) {
            return new byte[] {0};
        }
        byte[] out = value.clone();
        out[out.length - 1] ^= 1;
        return out;
    }

    @Property(tries = 100)
    void buildingReadsBoundedPages(
            @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 300) int count,
            @ForAll @IntRange(min = 1, max = 17) int pageSize) {
        InMemoryStorageEngine engine = load(randomRecords(new SplittableRandom(seed), count));
        int stored =
                engine.scanPartition(PARTITION, null, null, Integer.MAX_VALUE).size();
        AtomicInteger scans = new AtomicInteger();
        StorageEngine counted = countingScans(engine, pageSize, scans);

        MerkleTree tree = MerkleTree.build(counted, PARTITION, 64, pageSize);
        assertThat(scans.get()).isEqualTo(stored / pageSize + 1);
        assertThat(tree.recordCount()).isEqualTo(stored);
        assertThat(tree.root())
                .isEqualTo(MerkleTree.build(engine, PARTITION, 64, 1000).root());
    }

    @Test
    void anEmptyPartitionHasAnAllZeroTree() {
        MerkleTree tree = MerkleTree.build(new InMemoryStorageEngine(), PARTITION);
        assertThat(tree.root()).isZero();
        assertThat(tree.leafCount()).isEqualTo(1024);
        assertThat(tree.depth()).isEqualTo(10);
        assertThat(tree.recordCount()).isZero();
    }

    @Test
    void keysOfOnePartitionSpreadOverAllBuckets() {
        // Keys of one partition share their hash's top bits; the bucket must not.
        int[] perBucket = new int[1024];
        for (int i = 0; i < 20_000; i++) {
            perBucket[MerkleTree.bucketOf("users", ("user-" + i).getBytes(StandardCharsets.UTF_8), 1024)]++;
        }
        for (int count : perBucket) {
            assertThat(count).isBetween(1, 60);
        }
    }

    /**
     * Golden values: the hashes are part of the wire protocol between replicas, so they must not
     * change across JVMs or machines. A release that changes them (issue 9 did: the record hash
     * now covers HLC, writer and value) makes old and new nodes see every bucket as different
     * until all are upgraded: extra anti-entropy traffic under the byte budget, but no wrong
     * repair, since records are compared whole before anything is applied.
     */
    @Test
    void hashesAreStable() {
        VersionVector clock = VersionVector.of(Map.of(new NodeId(1), 3L, new NodeId(2), 1L));
        Versioned v =
                new Versioned(clock, 12345L, new NodeId(1), ValueKind.JSON, "{}".getBytes(StandardCharsets.UTF_8));
        byte[] key = "alice".getBytes(StandardCharsets.UTF_8);
        MerkleTree tree = MerkleTree.builder(PARTITION, 1024)
                .add("users", key, v)
                .add("orders", key, Versioned.tombstone(clock, 1, new NodeId(2)))
                .build();
        assertThat(List.of(
                        (long) MerkleTree.bucketOf("users", key, 1024),
                        MerkleTree.recordHash("users", key, v),
                        tree.nodeHash(1, 0),
                        tree.root()))
                .containsExactly(183L, 4613678284729185290L, 8244792102989310690L, 293207055501416620L);
    }

    @Test
    void badShapesAreRejected() {
        InMemoryStorageEngine e = new InMemoryStorageEngine();
        assertThatThrownBy(() -> MerkleTree.build(e, PARTITION, 1000, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MerkleTree.build(e, PARTITION, 1024, 0)).isInstanceOf(IllegalArgumentException.class);
        MerkleTree tree = MerkleTree.build(e, PARTITION, 4, 10);
        assertThatThrownBy(() -> tree.nodeHash(3, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tree.nodeHash(2, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThat(MerkleTree.build(e, PARTITION, 1, 10).depth()).isZero();
    }
}
