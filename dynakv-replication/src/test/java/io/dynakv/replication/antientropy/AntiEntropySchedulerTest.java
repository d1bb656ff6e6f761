package io.dynakv.replication.antientropy;

import static io.dynakv.replication.antientropy.AntiEntropyFixtures.all;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.naiveKey;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.randomKey;
import static io.dynakv.replication.antientropy.AntiEntropyFixtures.randomTable;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.HlcClock;
import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import io.dynakv.common.message.Transport;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.replication.antientropy.AntiEntropyMessage.BucketReply;
import io.dynakv.replication.antientropy.AntiEntropyMessage.HashesReply;
import io.dynakv.replication.antientropy.AntiEntropyMessage.HashesRequest;
import io.dynakv.replication.antientropy.AntiEntropyScheduler.Placement;
import io.dynakv.replication.antientropy.AntiEntropySession.Settings;
import io.dynakv.replication.replica.Replica;
import io.dynakv.replication.replica.Resolution;
import io.dynakv.storage.InMemoryStorageEngine;
import io.dynakv.storage.PartitionRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The anti-entropy schedule over in-memory replicas on one virtual-time loop (fault model in
 * {@link VirtualLoop}; a down node hears nothing): replicas with different data converge to what
 * resolving all their versions gives, partitions are walked round-robin and peers rotated, down
 * peers and busy partitions are passed over, a loop runs one round at a time, and replies of a
 * round that is over are not taken for the running one.
 */
class AntiEntropySchedulerTest {

    private static final NodeId A = new NodeId(1);
    private static final NodeId B = new NodeId(2);
    private static final NodeId C = new NodeId(3);
    private static final long SECOND = 1_000_000_000L;
    private static final Settings SETTINGS = new Settings(64, 16, 2 * SECOND, 1L << 40, 1L << 40);

    private record Sent(NodeId from, NodeId to, AntiEntropyMessage message) {}

    /** Nodes on one loop; each holds every partition, with the preference list rotated per partition. */
    private static final class Cluster {
        final VirtualLoop loop = new VirtualLoop();
        final List<NodeId> nodes;
        final Map<NodeId, InMemoryStorageEngine> engines = new LinkedHashMap<>();
        final Map<NodeId, Replica> replicas = new LinkedHashMap<>();
        final Map<NodeId, AntiEntropyScheduler> schedulers = new LinkedHashMap<>();
        final List<Sent> sent = new ArrayList<>();
        final Set<NodeId> down = new HashSet<>();
        final Map<Integer, List<NodeId>> tables = new TreeMap<>();
        Runnable afterSend = () -> {};
        private long nextDot = 1000;

        Cluster(NodeId... nodes) {
            this.nodes = List.of(nodes);
            for (NodeId id : nodes) {
                InMemoryStorageEngine engine = new InMemoryStorageEngine();
                engines.put(id, engine);
                replicas.put(id, new Replica(engine, new HlcClock(loop), new ReplicationStats()));
                AntiEntropyResponder responder = new AntiEntropyResponder(engine, transport(id), 16);
                loop.register(id, (from, m) -> {
                    AntiEntropyScheduler own = schedulers.get(id);
                    if (!down.contains(id) && (own == null || !own.onMessage(from, m))) {
                        responder.onMessage(from, (AntiEntropyMessage) m);
                    }
                });
            }
        }

        Transport transport(NodeId from) {
            Transport network = loop.transport(from);
            return (to, m) -> {
                sent.add(new Sent(from, to, (AntiEntropyMessage) m));
                network.send(to, m);
                afterSend.run();
            };
        }

        List<NodeId> preferenceList(int partition) {
            if (tables.containsKey(partition)) {
                return tables.get(partition);
            }
            List<NodeId> list = new ArrayList<>(nodes);
            Collections.rotate(list, partition);
            return list;
        }

        AntiEntropyScheduler scheduler(NodeId self, long intervalNanos, Supplier<int[]> partitions, IntPredicate busy) {
            AntiEntropyScheduler s = new AntiEntropyScheduler(
                    self,
                    self.value() << 48,
                    engines.get(self),
                    replicas.get(self),
                    transport(self),
                    loop.gateway(replicas),
                    loop,
                    new ByteBudget(loop, SETTINGS.bytesPerSecond(), SETTINGS.burstBytes()),
                    SETTINGS,
                    intervalNanos,
                    new Placement(partitions, this::preferenceList, n -> !down.contains(n), busy));
            schedulers.put(self, s);
            return s;
        }

        /** Runs every scheduler for {@code ticks} intervals, then stops them and lets rounds end. */
        void runTicks(long intervalNanos, int ticks) {
            schedulers.values().forEach(AntiEntropyScheduler::start);
            loop.schedule(
                    ticks * intervalNanos + intervalNanos / 2,
                    () -> schedulers.values().forEach(AntiEntropyScheduler::stop));
            loop.run();
        }

        /** The root requests {@code from} sent: one per round, in order. */
        List<HashesRequest> rounds(NodeId from) {
            return sent.stream()
                    .filter(s -> s.from().equals(from) && s.message() instanceof HashesRequest r && r.level() == 0)
                    .map(s -> (HashesRequest) s.message())
                    .toList();
        }

        Map<String, PartitionRecord> records(NodeId node, int partition) {
            Map<String, PartitionRecord> out = new TreeMap<>();
            for (PartitionRecord r : all(engines.get(node), partition)) {
                out.put(naiveKey(r.table(), r.key()), r);
            }
            return out;
        }

        /** The naive answer: every key any of {@code among} holds, its versions resolved. */
        Map<String, PartitionRecord> expected(int partition, List<NodeId> among) {
            Map<String, PartitionRecord> out = new TreeMap<>();
            for (NodeId node : among) {
                for (PartitionRecord r : all(engines.get(node), partition)) {
                    out.merge(
                            naiveKey(r.table(), r.key()),
                            r,
                            (x, y) -> new PartitionRecord(
                                    x.table(),
                                    x.key(),
                                    Resolution.of(Optional.of(x.value()), y.value())
                                            .result()));
                }
            }
            return out;
        }

        /**
         * A common base on every replica, then each replica loses keys, gets newer versions of
         * others (concurrent when two replicas both do) and keys of its own. Every version has a
         * dot, writer and HLC of its own, and descends with a larger HLC, as real writes do.
         */
        void diverge(SplittableRandom random, int partition, int baseSize, int changesPerReplica) {
            List<PartitionRecord> base = new ArrayList<>();
            for (int i = 0; i < baseSize; i++) {
                PartitionRecord r = new PartitionRecord(
                        randomTable(random), randomKey(random), version(random, VersionVector.EMPTY, 0));
                base.add(r);
                engines.values().forEach(e -> e.put(partition, r.table(), r.key(), r.value()));
            }
            for (InMemoryStorageEngine e : engines.values()) {
                for (int i = 0; i < changesPerReplica; i++) {
                    PartitionRecord r = base.get(random.nextInt(base.size()));
                    switch (random.nextInt(3)) {
                        case 0 -> e.remove(partition, r.table(), r.key());
                        case 1 -> e.put(
                                partition,
                                r.table(),
                                r.key(),
                                version(random, r.value().clock(), r.value().hlc()));
                        default -> e.put(
                                partition,
                                randomTable(random),
                                randomKey(random),
                                version(random, VersionVector.EMPTY, 0));
                    }
                }
            }
        }

        private Versioned version(SplittableRandom random, VersionVector parent, long parentHlc) {
            NodeId dot = new NodeId(nextDot++);
            VersionVector clock = parent.merge(VersionVector.of(Map.of(dot, 1L)));
            long hlc = parentHlc + 1 + random.nextLong(1L << 40);
            return random.nextInt(5) == 0
                    ? Versioned.tombstone(clock, hlc, dot)
                    : new Versioned(clock, hlc, dot, ValueKind.BYTES, randomKey(random));
        }
    }

    private static Supplier<int[]> partitions(int... partitions) {
        return () -> partitions;
    }

    @Property(tries = 20)
    void threeReplicasWithDifferentDataConverge(@ForAll long seed) {
        System.out.println("SEED=" + seed + " AntiEntropySchedulerTest.threeReplicasWithDifferentDataConverge");
        SplittableRandom random = new SplittableRandom(seed);
        Cluster c = new Cluster(A, B, C);
        int[] owned = {0, 1, 2, 3};
        Map<Integer, Map<String, PartitionRecord>> want = new TreeMap<>();
        for (int p : owned) {
            c.diverge(random, p, 40 + random.nextInt(100), random.nextInt(30));
            want.put(p, c.expected(p, c.nodes));
        }
        c.nodes.forEach(n -> c.scheduler(n, SECOND, partitions(owned), p -> false));

        c.runTicks(SECOND, 3 * owned.length); // three laps: each node meets each co-replica

        for (int p : owned) {
            for (NodeId n : c.nodes) {
                assertThat(c.records(n, p))
                        .as("seed %d, partition %d on %s", seed, p, n)
                        .isEqualTo(want.get(p));
            }
        }
        long moved = 0;
        for (AntiEntropyScheduler s : c.schedulers.values()) {
            assertThat(s.sessionsCompleted()).isEqualTo(3L * owned.length);
            assertThat(s.sessionsFailed()).isZero();
            moved += s.keysPulled() + s.keysPushed();
        }
        c.runTicks(SECOND, owned.length); // converged: another lap finds nothing to move
        long movedAfter = 0;
        for (AntiEntropyScheduler s : c.schedulers.values()) {
            movedAfter += s.keysPulled() + s.keysPushed();
        }
        assertThat(movedAfter).isEqualTo(moved);
    }

    @Test
    void walksPartitionsRoundRobinAndRotatesPeers() {
        Cluster c = new Cluster(A, B, C);
        c.nodes.forEach(n -> c.scheduler(n, SECOND, partitions(3, 0, 2, 1), p -> false));

        c.runTicks(SECOND, 8);

        for (NodeId n : c.nodes) {
            List<HashesRequest> rounds = c.rounds(n);
            assertThat(rounds).extracting(HashesRequest::partition).containsExactly(0, 1, 2, 3, 0, 1, 2, 3);
            Set<NodeId> others = new HashSet<>(c.nodes);
            others.remove(n);
            for (int p = 0; p < 4; p++) {
                int partition = p;
                Set<NodeId> peers = c.sent.stream()
                        .filter(s -> s.from().equals(n)
                                && s.message() instanceof HashesRequest r
                                && r.partition() == partition)
                        .map(Sent::to)
                        .collect(Collectors.toSet());
                assertThat(peers).as("peers of %s for partition %d", n, p).isEqualTo(others);
            }
        }
    }

    @Test
    void downPeerIsPassedOver() {
        Cluster c = new Cluster(A, B, C);
        SplittableRandom random = new SplittableRandom(17);
        List<Map<String, PartitionRecord>> wantAB = new ArrayList<>();
        List<Map<String, PartitionRecord>> beforeC = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            c.diverge(random, p, 80, 20);
            wantAB.add(c.expected(p, List.of(A, B)));
            beforeC.add(c.records(C, p));
        }
        c.down.add(C);
        c.scheduler(A, SECOND, partitions(0, 1, 2), p -> false);
        c.scheduler(B, SECOND, partitions(0, 1, 2), p -> false);

        c.runTicks(SECOND, 6); // two laps: in one of them each partition's turn falls on C

        assertThat(c.sent).isNotEmpty().noneMatch(s -> s.to().equals(C));
        for (int p = 0; p < 3; p++) {
            assertThat(c.records(A, p)).isEqualTo(wantAB.get(p));
            assertThat(c.records(B, p)).isEqualTo(wantAB.get(p));
            assertThat(c.records(C, p)).isEqualTo(beforeC.get(p));
        }
        for (NodeId n : List.of(A, B)) {
            assertThat(c.schedulers.get(n).sessionsCompleted()).isEqualTo(6);
            assertThat(c.schedulers.get(n).sessionsFailed()).isZero();
        }
    }

    @Test
    void busyPartitionIsSkippedUntilItIsNot() {
        Cluster c = new Cluster(A, B);
        SplittableRandom random = new SplittableRandom(23);
        for (int p = 0; p < 3; p++) {
            c.diverge(random, p, 60, 15);
        }
        Map<String, PartitionRecord> bBefore = c.records(B, 1);
        Map<String, PartitionRecord> want = c.expected(1, c.nodes);
        boolean[] streaming = {true};
        c.scheduler(A, SECOND, partitions(0, 1, 2), p -> p == 1 && streaming[0]);

        c.runTicks(SECOND, 4);

        assertThat(c.rounds(A)).extracting(HashesRequest::partition).containsExactly(0, 2, 0, 2);
        assertThat(c.records(B, 1)).isEqualTo(bBefore);
        assertThat(c.records(A, 0)).isEqualTo(c.records(B, 0));

        streaming[0] = false;
        c.runTicks(SECOND, 2);
        assertThat(c.rounds(A)).extracting(HashesRequest::partition).containsExactly(0, 2, 0, 2, 0, 1);
        assertThat(c.records(A, 1)).isEqualTo(want).isEqualTo(c.records(B, 1));
    }

    @Test
    void partitionsAndPreferenceListsAreReadAfreshEachRound() {
        Cluster c = new Cluster(A, B);
        int[][] owned = {{0, 1}};
        c.scheduler(A, SECOND, () -> owned[0], p -> false);
        c.runTicks(SECOND, 2);

        owned[0] = new int[] {1, 5, 6}; // the ring moved partitions 5 and 6 here...
        c.tables.put(6, List.of(B)); // ...and a newer table already moved 6 away again
        c.runTicks(SECOND, 3);

        assertThat(c.rounds(A)).extracting(HashesRequest::partition).containsExactly(0, 1, 5, 1, 5);
    }

    @Test
    void runsOneRoundAtATimeEvenWhenTicksComeFaster() {
        Cluster c = new Cluster(A, B);
        SplittableRandom random = new SplittableRandom(5);
        for (int p = 0; p < 2; p++) {
            c.diverge(random, p, 200, 40);
        }
        long tickNanos = VirtualLoop.LATENCY_NANOS; // a round takes many round trips
        AntiEntropyScheduler a = c.scheduler(A, tickNanos, partitions(0, 1), p -> false);
        Set<Long> started = new HashSet<>();
        c.afterSend = () -> {
            Sent last = c.sent.get(c.sent.size() - 1);
            if (last.from().equals(A) && last.message() instanceof HashesRequest r && r.level() == 0) {
                started.add(r.sessionId());
            }
            assertThat(started.size() - a.sessionsCompleted() - a.sessionsFailed())
                    .isBetween(0L, 1L);
        };

        c.runTicks(tickNanos, 400);

        assertThat(started).hasSizeBetween(2, 399);
        assertThat(a.sessionsCompleted()).isEqualTo(started.size());
        assertThat(c.records(A, 0)).isEqualTo(c.records(B, 0));
        assertThat(c.records(A, 1)).isEqualTo(c.records(B, 1));
    }

    @Test
    void repliesOfARoundThatIsOverAreNotTakenForTheRunningOne() {
        Cluster c = new Cluster(A, B);
        c.loop.dropWhen(m -> true); // B hears nothing, yet A thinks it up: every round times out
        AntiEntropyScheduler a = c.scheduler(A, SECOND, partitions(0), p -> false);
        long root =
                MerkleTree.build(c.engines.get(A), 0, SETTINGS.leafCount(), 16).root();
        List<Boolean> taken = new ArrayList<>();
        // Round 1 starts at 1 s and times out at 3 s (the tick at 2 s finds it running); round 2 starts
        // at 3 s. At 4.5 s, replies of round 1, from another node, or not replies are not taken.
        c.loop.schedule(4 * SECOND + SECOND / 2, () -> {
            List<HashesRequest> rounds = c.rounds(A);
            assertThat(rounds).hasSize(2);
            long old = rounds.get(0).sessionId();
            long current = rounds.get(1).sessionId();
            assertThat(current).isEqualTo(old + 1).isEqualTo(A.value() << 48 | 2);
            taken.add(a.onMessage(B, new HashesReply(old, 0, List.of(0), List.of(root))));
            taken.add(a.onMessage(B, new BucketReply(old, 0, List.of())));
            taken.add(a.onMessage(C, new HashesReply(current, 0, List.of(0), List.of(root))));
            taken.add(a.onMessage(B, new HashesRequest(current, 0, 64, 0, List.of(0))));
            taken.add(a.onMessage(B, new HashesReply(current, 0, List.of(0), List.of(root))));
        });

        c.runTicks(SECOND, 4);

        assertThat(taken).containsExactly(false, false, false, false, true);
        assertThat(a.sessionsFailed()).isEqualTo(1);
        assertThat(a.sessionsCompleted()).isEqualTo(1); // the right reply matched the empty tree
    }
}
