package io.dynakv.replication.antientropy;

import static io.dynakv.replication.antientropy.AntiEntropyFixtures.OTHER_PARTITION;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.PARTITION;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.all;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.naiveKey;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.randomKey;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.randomTable;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.randomVersion;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.sameClockOtherContents;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.Causality;
import io.dynakv.common.Hlc;
import io.dynakv.common.HlcClock;
import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.replication.antientropy.AntiEntropyMessage.BucketReply;
import io.dynakv.replication.antientropy.AntiEntropyMessage.HashesReply;
import io.dynakv.replication.antientropy.AntiEntropySession.Outcome;
import io.dynakv.replication.antientropy.AntiEntropySession.Settings;
import io.dynakv.replication.antientropy.AntiEntropySession.Status;
import io.dynakv.replication.replica.Replica;
import io.dynakv.replication.replica.Resolution;
import io.dynakv.replication.replica.TombstoneHorizons;
import io.dynakv.storage.FullDiskStorageEngine;
import io.dynakv.storage.InMemoryStorageEngine;
import io.dynakv.storage.PartitionRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * One anti-entropy round between two in-memory replicas over a virtual-time loop (fault model in
 * {@link VirtualLoop}): one round converges both sides to exactly what resolving their versions
 * gives (the naive answer), a second round finds nothing, a lost reply ends the round by timeout
 * with both replicas still valid, and the bandwidth cap slows the round without breaking it.
 */
class AntiEntropySessionTest {

    private static final NodeId A = new NodeId(1);
    private static final NodeId B = new NodeId(2);
    private static final long TIMEOUT_NANOS = 10_000_000_000L;

    /** Two replicas on one loop: A initiates, B responds (and B's gateway writes land on B). */
    private static final class Pair {
        final VirtualLoop loop = new VirtualLoop();
        final InMemoryStorageEngine a = new InMemoryStorageEngine();
        final InMemoryStorageEngine b = new InMemoryStorageEngine();
        /** A's disk as its replica sees it: it can be filled. */
        final FullDiskStorageEngine full = new FullDiskStorageEngine(a);

        final Replica replicaA;
        final Replica replicaB = new Replica(b, new HlcClock(loop), new ReplicationStats());
        AntiEntropySession session;

        Pair() {
            this(-1);
        }

        /** @param graceMillis A's tombstone grace; negative: A never purges (no tombstone GC) */
        Pair(long graceMillis) {
            HlcClock hlc = new HlcClock(loop);
            TombstoneHorizons horizons = graceMillis < 0
                    ? TombstoneHorizons.neverPurging(hlc)
                    : new TombstoneHorizons(hlc, loop, graceMillis, partition -> Optional.of(List.of(B)));
            replicaA = new Replica(full, hlc, new ReplicationStats(), horizons);
            AntiEntropyResponder responder = new AntiEntropyResponder(b, loop.transport(B), 16);
            loop.register(B, (from, m) -> responder.onMessage(from, (AntiEntropyMessage) m));
            loop.register(A, (from, m) -> session.onMessage(from, (AntiEntropyMessage) m));
        }

        Outcome round(long sessionId, Settings settings) {
            List<Outcome> outcomes = new ArrayList<>();
            ByteBudget budget = new ByteBudget(loop, settings.bytesPerSecond(), settings.burstBytes());
            session = new AntiEntropySession(
                    sessionId,
                    PARTITION,
                    B,
                    a,
                    replicaA,
                    loop.transport(A),
                    loop.gateway(Map.of(B, replicaB)),
                    loop,
                    budget,
                    settings,
                    outcomes::add);
            session.start();
            loop.run();
            assertThat(outcomes).hasSize(1);
            assertThat(session.state()).isEqualTo(AntiEntropySession.State.DONE);
            return outcomes.get(0);
        }
    }

    private static Settings settings(int leafCount) {
        return new Settings(leafCount, 16, TIMEOUT_NANOS, Long.MAX_VALUE / 4_000_000_000L, 1 << 30);
    }

    /** A version that descends from {@code v} through a new event of a node used nowhere else. */
    private static Versioned descendant(Versioned v, int freshNode, boolean tombstone) {
        VersionVector clock = v.clock().merge(VersionVector.of(Map.of(new NodeId(freshNode), 1L)));
        long hlc = v.hlc() + 1 + freshNode;
        return tombstone
                ? Versioned.tombstone(clock, hlc, v.writer())
                : new Versioned(clock, hlc, new NodeId(freshNode), ValueKind.BYTES, new byte[] {(byte) freshNode});
    }

    /**
     * A common base, then divergences: keys only one side has, keys one side lost, newer versions on
     * one side, concurrent versions on both sides (each new version has an event of a node no other
     * version has), and other contents under the same clock on one side (what a successor stamped
     * below its cause could leave behind).
     */
    private static void diverge(Pair p, SplittableRandom random, int baseSize, int divergences) {
        List<PartitionRecord> base = new ArrayList<>();
        for (int i = 0; i < baseSize; i++) {
            String table = randomTable(random);
            byte[] key = randomKey(random);
            Versioned v = randomVersion(random);
            p.a.put(PARTITION, table, key, v);
            p.b.put(PARTITION, table, key, v);
            base.add(new PartitionRecord(table, key, v));
            p.b.put(OTHER_PARTITION, table, key, randomVersion(random)); // noise next door: untouched
        }
        int fresh = 100;
        for (int i = 0; i < divergences; i++) {
            InMemoryStorageEngine side = random.nextBoolean() ? p.a : p.b;
            PartitionRecord r = base.isEmpty() ? null : base.get(random.nextInt(base.size()));
            switch (r == null ? 0 : random.nextInt(5)) {
                case 0 -> side.put(
                        PARTITION,
                        randomTable(random),
                        randomKey(random),
                        descendant(randomVersion(random), fresh++, random.nextInt(5) == 0));
                case 1 -> side.remove(PARTITION, r.table(), r.key());
                case 2 -> side.put(
                        PARTITION, r.table(), r.key(), descendant(r.value(), fresh++, random.nextInt(3) == 0));
                case 3 -> side.put(PARTITION, r.table(), r.key(), sameClockOtherContents(r.value()));
                default -> {
                    p.a.put(PARTITION, r.table(), r.key(), descendant(r.value(), fresh++, random.nextBoolean()));
                    p.b.put(PARTITION, r.table(), r.key(), descendant(r.value(), fresh++, random.nextBoolean()));
                }
            }
        }
    }

    /** The naive answer: for every key, both sides' versions resolved as a replica resolves them. */
    private static Map<String, PartitionRecord> expected(InMemoryStorageEngine a, InMemoryStorageEngine b) {
        Map<String, Optional<Versioned>> left = byKey(all(a, PARTITION));
        Map<String, Optional<Versioned>> right = byKey(all(b, PARTITION));
        Map<String, PartitionRecord> out = new TreeMap<>();
        for (PartitionRecord r : concat(all(a, PARTITION), all(b, PARTITION))) {
            String k = naiveKey(r.table(), r.key());
            Versioned v = Resolution.newest(
                            List.of(left.getOrDefault(k, Optional.empty()), right.getOrDefault(k, Optional.empty())))
                    .orElseThrow();
            out.put(k, new PartitionRecord(r.table(), r.key(), v));
        }
        return out;
    }

    private static List<PartitionRecord> concat(List<PartitionRecord> x, List<PartitionRecord> y) {
        List<PartitionRecord> out = new ArrayList<>(x);
        out.addAll(y);
        return out;
    }

    private static Map<String, Optional<Versioned>> byKey(List<PartitionRecord> records) {
        Map<String, Optional<Versioned>> out = new TreeMap<>();
        for (PartitionRecord r : records) {
            out.put(naiveKey(r.table(), r.key()), Optional.of(r.value()));
        }
        return out;
    }

    private static Map<String, PartitionRecord> records(InMemoryStorageEngine engine) {
        Map<String, PartitionRecord> out = new TreeMap<>();
        for (PartitionRecord r : all(engine, PARTITION)) {
            out.put(naiveKey(r.table(), r.key()), r);
        }
        return out;
    }

    @Property(tries = 60)
    void oneRoundConvergesBothReplicasAndASecondFindsNothing(
            @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 200) int baseSize,
            @ForAll @IntRange(min = 0, max = 40) int divergences,
            @ForAll @IntRange(min = 0, max = 7) int leafBits) {
        Pair p = new Pair();
        diverge(p, new SplittableRandom(seed), baseSize, divergences);
        Map<String, PartitionRecord> want = expected(p.a, p.b);
        List<PartitionRecord> otherBefore = all(p.b, OTHER_PARTITION);

        Outcome first = p.round(1, settings(1 << leafBits));

        assertThat(first.status()).isEqualTo(Status.COMPLETED);
        assertThat(records(p.a)).isEqualTo(want);
        assertThat(records(p.b)).isEqualTo(want);
        assertThat(all(p.a, OTHER_PARTITION)).isEmpty();
        assertThat(all(p.b, OTHER_PARTITION)).isEqualTo(otherBefore);

        Outcome second = p.round(2, settings(1 << leafBits));
        assertThat(second).isEqualTo(new Outcome(Status.COMPLETED, 0, 0, 0));
    }

    /**
     * Issue 9 item 2: two replicas hold one clock with different contents (a value on one, the
     * tombstone that deleted it on the other; two values on another key). The old record hash left
     * the values out, and a replica that already held an equal clock kept its own: they never met.
     */
    @Test
    void equalClocksWithDifferentValuesConvergeThroughAntiEntropy() {
        Pair p = new Pair();
        byte[] deleted = {1};
        byte[] overwritten = {2};
        VersionVector clock = VersionVector.of(Map.of(new NodeId(3), 4L, new NodeId(4), 1L));
        Versioned value = new Versioned(clock, 5_000, new NodeId(3), ValueKind.BYTES, new byte[] {'v'});
        Versioned tombstone = Versioned.tombstone(clock, 4_000, new NodeId(4));
        Versioned otherValue = new Versioned(clock, 5_000, new NodeId(3), ValueKind.BYTES, new byte[] {'x'});
        p.a.put(PARTITION, "t", deleted, value);
        p.b.put(PARTITION, "t", deleted, tombstone);
        p.a.put(PARTITION, "t", overwritten, value);
        p.b.put(PARTITION, "t", overwritten, otherValue);

        Outcome first = p.round(1, settings(MerkleTree.DEFAULT_LEAF_COUNT));

        assertThat(first.status()).isEqualTo(Status.COMPLETED);
        assertThat(records(p.a)).isEqualTo(records(p.b)).hasSize(2);
        assertThat(p.a.get(PARTITION, "t", deleted)).contains(value); // the higher HLC, on both sides
        Versioned kept = otherValue.winsOver(value) ? otherValue : value;
        assertThat(p.b.get(PARTITION, "t", overwritten)).contains(kept);
        assertThat(p.round(2, settings(MerkleTree.DEFAULT_LEAF_COUNT)))
                .isEqualTo(new Outcome(Status.COMPLETED, 0, 0, 0));
    }

    @Test
    void defaultShapeConvergesAndReportsTheWork() {
        Pair p = new Pair();
        diverge(p, new SplittableRandom(42), 500, 60);
        Map<String, PartitionRecord> want = expected(p.a, p.b);

        Outcome first = p.round(1, Settings.defaults());

        assertThat(first.status()).isEqualTo(Status.COMPLETED);
        assertThat(first.differingBuckets()).isPositive();
        assertThat(first.pulled() + first.pushed()).isGreaterThanOrEqualTo(first.differingBuckets());
        assertThat(records(p.a)).isEqualTo(want);
        assertThat(records(p.b)).isEqualTo(want);
        assertThat(p.round(2, Settings.defaults()).differingBuckets()).isZero();
    }

    @Test
    void identicalReplicasExchangeOneHash() {
        Pair p = new Pair();
        diverge(p, new SplittableRandom(7), 100, 0);

        Outcome outcome = p.round(1, settings(64));

        assertThat(outcome).isEqualTo(new Outcome(Status.COMPLETED, 0, 0, 0));
        assertThat(p.loop.delivered).isEqualTo(2); // root request and reply
    }

    @Test
    void lostHashesReplyEndsTheRoundByTimeoutAndChangesNothing() {
        Pair p = new Pair();
        diverge(p, new SplittableRandom(3), 200, 30);
        Map<String, PartitionRecord> beforeA = records(p.a);
        Map<String, PartitionRecord> beforeB = records(p.b);
        Map<String, PartitionRecord> want = expected(p.a, p.b);
        p.loop.dropWhen(m -> m instanceof HashesReply r && r.level() == 3);

        Outcome outcome = p.round(1, settings(64));

        assertThat(outcome.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(p.loop.nowNanos()).isEqualTo(TIMEOUT_NANOS);
        assertThat(p.loop.dropped).isEqualTo(1);
        assertThat(records(p.a)).isEqualTo(beforeA);
        assertThat(records(p.b)).isEqualTo(beforeB);

        p.loop.dropWhen(m -> false);
        assertThat(p.round(2, settings(64)).status()).isEqualTo(Status.COMPLETED);
        assertThat(records(p.a)).isEqualTo(want);
        assertThat(records(p.b)).isEqualTo(want);
    }

    /**
     * A full disk on the initiator cannot store what it pulls: the round ends as failed at once
     * (a completed round would tell the tombstone GC that the peer and this node agree), and a
     * round after the disk has room again completes the repair.
     */
    @Test
    void aFullDiskEndsTheRoundWithoutClaimingItCompleted() {
        Pair p = new Pair();
        diverge(p, new SplittableRandom(5), 100, 20);
        Map<String, PartitionRecord> want = expected(p.a, p.b);
        p.full.fill();

        assertThat(p.round(1, settings(64)).status()).isEqualTo(Status.LOCAL_DISK_FULL);

        p.full.empty();
        assertThat(p.round(2, settings(64)).status()).isEqualTo(Status.COMPLETED);
        assertThat(records(p.a)).isEqualTo(want);
        assertThat(records(p.b)).isEqualTo(want);
    }

    /**
     * Replicas purge a tombstone at different moments. One past the grace that only one side still
     * holds is left alone both ways: copied back, it would wait for new rounds on the replica that
     * had purged it while that one copied it back to the others, and they took turns for ever
     * (found by the simulator: tombstones never drained). A tombstone within the grace is copied.
     */
    @Test
    void aTombstonePastTheGraceIsNotCopiedBackToAReplicaThatPurgedIt() {
        long graceMillis = 1_000;
        Pair p = new Pair(graceMillis);
        long old = Hlc.pack(p.loop.wallMillis() - 2 * graceMillis, 0);
        long young = Hlc.pack(p.loop.wallMillis(), 0);
        Versioned pastGrace = Versioned.tombstone(VersionVector.of(Map.of(A, 1L)), old, A);
        Versioned recent = Versioned.tombstone(VersionVector.of(Map.of(A, 2L)), young, A);
        p.a.put(PARTITION, "t", "mine".getBytes(StandardCharsets.UTF_8), pastGrace);
        p.b.put(PARTITION, "t", "theirs".getBytes(StandardCharsets.UTF_8), pastGrace);
        p.a.put(PARTITION, "t", "fresh".getBytes(StandardCharsets.UTF_8), recent);

        assertThat(p.round(1, settings(64)).status()).isEqualTo(Status.COMPLETED);

        assertThat(p.b.get(PARTITION, "t", "mine".getBytes(StandardCharsets.UTF_8)))
                .isEmpty();
        assertThat(p.a.get(PARTITION, "t", "theirs".getBytes(StandardCharsets.UTF_8)))
                .isEmpty();
        assertThat(p.b.get(PARTITION, "t", "fresh".getBytes(StandardCharsets.UTF_8)))
                .contains(recent);
    }

    @Test
    void lostBucketReplyMidRoundLeavesOnlyValidRepairs() {
        Pair p = new Pair();
        diverge(p, new SplittableRandom(11), 300, 40);
        Map<String, PartitionRecord> beforeA = records(p.a);
        Map<String, PartitionRecord> beforeB = records(p.b);
        Map<String, PartitionRecord> want = expected(p.a, p.b);
        int[] bucketReplies = {0};
        p.loop.dropWhen(m -> m instanceof BucketReply && ++bucketReplies[0] == 5);

        Outcome outcome = p.round(1, settings(64));

        assertThat(outcome.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(outcome.pulled() + outcome.pushed()).isPositive(); // the first buckets were repaired
        assertNothingLost(beforeA, records(p.a));
        assertNothingLost(beforeB, records(p.b));

        p.loop.dropWhen(m -> false);
        assertThat(p.round(2, settings(64)).status()).isEqualTo(Status.COMPLETED);
        assertThat(records(p.a)).isEqualTo(want);
        assertThat(records(p.b)).isEqualTo(want);
    }

    /** Every key a replica held is still there, at the same version or one that descends from it. */
    private static void assertNothingLost(Map<String, PartitionRecord> before, Map<String, PartitionRecord> after) {
        for (Map.Entry<String, PartitionRecord> e : before.entrySet()) {
            assertThat(after).containsKey(e.getKey());
            Causality c = after.get(e.getKey())
                    .value()
                    .clock()
                    .compare(e.getValue().value().clock());
            assertThat(c).as(e.getKey()).isIn(Causality.AFTER, Causality.EQUAL);
        }
    }

    @Test
    void bandwidthCapDelaysButCompletes() {
        Pair capped = new Pair();
        diverge(capped, new SplittableRandom(5), 300, 80);
        Map<String, PartitionRecord> want = expected(capped.a, capped.b);
        Pair free = new Pair();
        diverge(free, new SplittableRandom(5), 300, 80);
        long bytesPerSecond = 2_000;

        Outcome slow = capped.round(1, new Settings(64, 16, 3_600_000_000_000L, bytesPerSecond, 500));
        Outcome fast = free.round(1, settings(64));

        assertThat(slow).isEqualTo(fast);
        assertThat(slow.status()).isEqualTo(Status.COMPLETED);
        assertThat(records(capped.a)).isEqualTo(want);
        assertThat(records(capped.b)).isEqualTo(want);
        assertThat(free.loop.nowNanos()).isLessThan(1_000_000_000L);
        // At least the pushed versions' bytes beyond the burst had to wait for the refill.
        assertThat(capped.loop.nowNanos()).isGreaterThan(1_000_000_000L);
        assertThat(capped.loop.nowNanos()).isGreaterThan(50 * free.loop.nowNanos());
    }
}
