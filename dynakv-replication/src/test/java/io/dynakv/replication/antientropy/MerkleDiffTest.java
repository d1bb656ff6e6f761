package io.dynakv.replication.antientropy;

import static io.dynakv.replication.antientropy.AntiEntropyFixtures.OTHER_PARTITION;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.PARTITION;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.all;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.naiveBuckets;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.naiveDifferingBuckets;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.naiveKey;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.newer;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.randomKey;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.randomTable;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.randomVersion;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.sameClockOtherContents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.common.ValueKind;
import io.dynakv.common.Versioned;
import io.dynakv.replication.antientropy.MerkleDiff.RecordDifference;
import io.dynakv.storage.InMemoryStorageEngine;
import io.dynakv.storage.PartitionRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The Merkle diff finds exactly the buckets a full comparison of both replicas finds (STYLE section
 * 4.2: fast against naive), descends only into differing subtrees, and lists exactly the records
 * that differ in each bucket.
 */
class MerkleDiffTest {

    /** Two replicas: a common base, then random divergences on both sides. */
    private record Replicas(InMemoryStorageEngine a, InMemoryStorageEngine b) {}

    private static Replicas diverged(SplittableRandom random, int baseSize, int divergences) {
        InMemoryStorageEngine a = new InMemoryStorageEngine();
        InMemoryStorageEngine b = new InMemoryStorageEngine();
        List<PartitionRecord> base = new ArrayList<>();
        for (int i = 0; i < baseSize; i++) {
            String table = randomTable(random);
            byte[] key = randomKey(random);
            Versioned v = randomVersion(random);
            a.put(PARTITION, table, key, v);
            b.put(PARTITION, table, key, v);
            base.add(new PartitionRecord(table, key, v));
            // noise in a neighbouring partition, different on each side: must not matter
            a.put(OTHER_PARTITION, table, key, randomVersion(random));
        }
        for (int i = 0; i < divergences; i++) {
            InMemoryStorageEngine side = random.nextBoolean() ? a : b;
            PartitionRecord r = base.isEmpty() ? null : base.get(random.nextInt(base.size()));
            switch (r == null ? 0 : random.nextInt(5)) {
                case 0 -> side.put(PARTITION, randomTable(random), randomKey(random), randomVersion(random)); // extra
                case 1 -> side.remove(PARTITION, r.table(), r.key()); // missing
                case 2 -> side.put(PARTITION, r.table(), r.key(), newer(r.value(), random)); // other version
                case 3 -> side.put(PARTITION, r.table(), r.key(), tombstoneOrValue(r.value(), random));
                default -> side.put(PARTITION, r.table(), r.key(), sameClockOtherContents(r.value())); // diverged
            }
        }
        return new Replicas(a, b);
    }

    /** A tombstone where there was a value and a value where there was a tombstone, newer or same clock. */
    private static Versioned tombstoneOrValue(Versioned v, SplittableRandom random) {
        Versioned base = random.nextBoolean() ? newer(v, random) : v;
        return v.isTombstone()
                ? new Versioned(base.clock(), base.hlc(), base.writer(), ValueKind.BYTES, new byte[] {1})
                : Versioned.tombstone(base.clock(), base.hlc(), base.writer());
    }

    @Property(tries = 200)
    void differingBucketsAreExactlyTheNaiveOnes(
            @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 300) int baseSize,
            @ForAll @IntRange(min = 0, max = 40) int divergences,
            @ForAll @IntRange(min = 0, max = 10) int depth,
            @ForAll @IntRange(min = 1, max = 50) int pageSize) {
        int leafCount = 1 << depth;
        Replicas r = diverged(new SplittableRandom(seed), baseSize, divergences);
        MerkleTree ta = MerkleTree.build(r.a(), PARTITION, leafCount, pageSize);
        MerkleTree tb = MerkleTree.build(r.b(), PARTITION, leafCount, pageSize);

        List<Integer> expected = naiveDifferingBuckets(r.a(), r.b(), PARTITION, leafCount);
        int[] found = MerkleDiff.differingBuckets(ta, tb);
        assertThat(found).containsExactly(expected.stream().mapToInt(i -> i).toArray());
        assertThat(MerkleDiff.differingBuckets(tb, ta)).containsExactly(found);
        assertThat(ta.root() == tb.root()).isEqualTo(expected.isEmpty());
    }

    @Property(tries = 200)
    void differingRecordsAreExactlyTheNaiveOnes(
            @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 200) int baseSize,
            @ForAll @IntRange(min = 0, max = 40) int divergences,
            @ForAll @IntRange(min = 0, max = 6) int depth) {
        int leafCount = 1 << depth;
        Replicas r = diverged(new SplittableRandom(seed), baseSize, divergences);
        MerkleTree ta = MerkleTree.build(r.a(), PARTITION, leafCount, 16);
        MerkleTree tb = MerkleTree.build(r.b(), PARTITION, leafCount, 16);
        Map<Integer, Map<String, Versioned>> na = naiveBuckets(r.a(), PARTITION, leafCount);
        Map<Integer, Map<String, Versioned>> nb = naiveBuckets(r.b(), PARTITION, leafCount);

        for (int bucket : MerkleDiff.differingBuckets(ta, tb)) {
            List<RecordDifference> diff =
                    MerkleDiff.differingRecords(inBucket(r.a(), bucket, leafCount), inBucket(r.b(), bucket, leafCount));
            Map<String, Versioned> left = na.getOrDefault(bucket, Map.of());
            Map<String, Versioned> right = nb.getOrDefault(bucket, Map.of());
            TreeSet<String> expected = new TreeSet<>();
            TreeSet<String> keys = new TreeSet<>(left.keySet());
            keys.addAll(right.keySet());
            for (String key : keys) {
                if (!Objects.equals(left.get(key), right.get(key))) {
                    expected.add(key);
                }
            }
            TreeSet<String> actual = new TreeSet<>();
            for (RecordDifference d : diff) {
                actual.add(naiveKey(d.table(), d.key()));
                assertThat(d.local().isPresent()).isEqualTo(left.containsKey(naiveKey(d.table(), d.key())));
                assertThat(d.peer().isPresent()).isEqualTo(right.containsKey(naiveKey(d.table(), d.key())));
            }
            assertThat(actual).hasSize(diff.size()).isEqualTo(expected).isNotEmpty();
        }
    }

    /** The level-by-level exchange asks only for children of differing nodes: at most 1 + 2·depth·k hashes. */
    @Property(tries = 100)
    void exchangeDescendsOnlyIntoDifferingSubtrees(
            @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 400) int baseSize,
            @ForAll @IntRange(min = 0, max = 10) int divergences) {
        Replicas r = diverged(new SplittableRandom(seed), baseSize, divergences);
        MerkleTree local = MerkleTree.build(r.a(), PARTITION);
        MerkleTree peer = MerkleTree.build(r.b(), PARTITION);

        int[] frontier = {0};
        int hashesSent = 0;
        int[] buckets = new int[0];
        for (int level = 0; level <= local.depth() && frontier.length > 0; level++) {
            long[] peerHashes = new long[frontier.length]; // what the peer would send for (level, frontier)
            for (int i = 0; i < frontier.length; i++) {
                peerHashes[i] = peer.nodeHash(level, frontier[i]);
            }
            hashesSent += frontier.length;
            int[] differ = MerkleDiff.differing(local, level, frontier, peerHashes);
            if (level == local.depth()) {
                buckets = differ;
            }
            frontier = MerkleDiff.children(differ);
        }
        assertThat(buckets).containsExactly(MerkleDiff.differingBuckets(local, peer));
        assertThat(buckets.length).isLessThanOrEqualTo(divergences);
        assertThat(hashesSent).isLessThanOrEqualTo(1 + 2 * local.depth() * buckets.length);
    }

    @Test
    void equalReplicasCompareOneHash() {
        Replicas r = diverged(new SplittableRandom(1), 100, 0);
        MerkleTree a = MerkleTree.build(r.a(), PARTITION);
        MerkleTree b = MerkleTree.build(r.b(), PARTITION);
        assertThat(MerkleDiff.differing(a, 0, new int[] {0}, new long[] {b.root()}))
                .isEmpty();
        assertThat(MerkleDiff.differingBuckets(a, b)).isEmpty();
    }

    @Test
    void treesOfDifferentShapesAreRejected() {
        InMemoryStorageEngine e = new InMemoryStorageEngine();
        assertThatThrownBy(() -> MerkleDiff.differingBuckets(
                        MerkleTree.build(e, PARTITION, 1024, 10), MerkleTree.build(e, PARTITION, 512, 10)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MerkleDiff.differingBuckets(
                        MerkleTree.build(e, PARTITION, 1024, 10), MerkleTree.build(e, OTHER_PARTITION, 1024, 10)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void recordDifferencesNameTheSideMissingAndTheVersions() {
        SplittableRandom random = new SplittableRandom(3);
        Versioned v = randomVersion(random);
        Versioned w = newer(v, random);
        byte[] k1 = {1};
        byte[] k2 = {2};
        byte[] k3 = {3};
        List<PartitionRecord> local = List.of(
                new PartitionRecord("t", k1, v), new PartitionRecord("t", k2, v), new PartitionRecord("t", k3, v));
        List<PartitionRecord> peer = List.of(
                new PartitionRecord("t", k3, sameClockOtherContents(v)), // diverged under one clock
                new PartitionRecord("t", k2, w),
                new PartitionRecord("u", k1, v));
        List<RecordDifference> diff = MerkleDiff.differingRecords(local, peer);
        assertThat(diff)
                .containsExactly(
                        new RecordDifference("t", k1, Optional.of(v), Optional.empty()),
                        new RecordDifference("t", k2, Optional.of(v), Optional.of(w)),
                        new RecordDifference("t", k3, Optional.of(v), Optional.of(sameClockOtherContents(v))),
                        new RecordDifference("u", k1, Optional.empty(), Optional.of(v)));
        assertThatThrownBy(() -> MerkleDiff.differingRecords(
                        List.of(new PartitionRecord("t", k1, v), new PartitionRecord("t", k1.clone(), w)), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<PartitionRecord> inBucket(InMemoryStorageEngine engine, int bucket, int leafCount) {
        List<PartitionRecord> out = new ArrayList<>();
        for (PartitionRecord r : all(engine, PARTITION)) {
            if (MerkleTree.bucketOf(r.table(), r.key(), leafCount) == bucket) {
                out.add(r);
            }
        }
        return out;
    }
}
