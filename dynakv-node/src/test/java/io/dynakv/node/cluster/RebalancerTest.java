package io.dynakv.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.cluster.ring.PartitionTable;
import io.dynakv.cluster.ring.Transfer;
import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import io.dynakv.node.ShardRouters;
import io.dynakv.replication.rebalance.HandoffDone;
import io.dynakv.storage.InMemoryStorageEngine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * What a node streams when the ring moves (Dynamo section 4.9), and the bookkeeping of its
 * incomplete partitions. The shard router has no shard registered, as while a node starts, so
 * dispatching hands nothing over (Rebalancer skips a null shard; resume() does it later).
 */
class RebalancerTest {

    private static final int PARTITIONS = 32;
    private static final int LOOPS = 2;
    private static final NodeId A = new NodeId(0x0aL);
    private static final NodeId B = new NodeId(0x0bL);
    private static final NodeId C = new NodeId(0x0cL);
    private static final NodeId D = new NodeId(0x0dL);

    private final InMemoryStorageEngine storage = new InMemoryStorageEngine();
    private final ClusterMeta meta = new ClusterMeta(storage, Runnable::run);

    private final List<Object[]> sent = new ArrayList<>();

    private Rebalancer rebalancer(NodeId self, PartitionTable known) {
        return new Rebalancer(
                self,
                ShardRouters.unstarted(LOOPS),
                meta,
                storage,
                (to, message) -> sent.add(new Object[] {to, message}),
                Runnable::run,
                PARTITIONS,
                known);
    }

    /** A new table as ClusterControl hands it over: adopted before it is visible, then announced. */
    private static void newTable(Rebalancer r, PartitionTable table) {
        r.adopt(table);
        r.onTable(table);
    }

    private static Set<Integer> partitionsGained(NodeId node, PartitionTable before, PartitionTable after) {
        Set<Integer> gained = new HashSet<>();
        for (int p = 0; p < after.partitions(); p++) {
            if (after.holds(node, p) && !before.holds(node, p)) {
                gained.add(p);
            }
        }
        return gained;
    }

    private static Set<Integer> partitionsOf(List<Transfer> transfers) {
        Set<Integer> partitions = new HashSet<>();
        transfers.forEach(t -> partitions.add(t.partition()));
        return partitions;
    }

    // ---- incoming(self, before, after) ---------------------------------------------------------

    @Test
    void aJoinerStreamsExactlyWhatItGainsFromTheReplicaItReplaces() {
        PartitionTable before = PartitionTable.initial(Set.of(A, B, C), PARTITIONS, 2);
        PartitionTable after = before.rebalance(Set.of(A, B, C, D));

        List<Transfer> incoming = Rebalancer.incoming(D, before, after);

        assertThat(incoming).isNotEmpty();
        assertThat(incoming)
                .isEqualTo(before.transfersTo(after).stream()
                        .filter(t -> t.target().equals(D))
                        .toList());
        assertThat(partitionsOf(incoming)).isEqualTo(partitionsGained(D, before, after));
        assertThat(incoming).hasSize(partitionsGained(D, before, after).size()); // one per partition
        for (Transfer t : incoming) {
            NodeId replaced = t.sources().get(0);
            assertThat(t.target()).isEqualTo(D);
            assertThat(before.preferenceList(t.partition())).contains(replaced);
            assertThat(after.preferenceList(t.partition()))
                    .as("partition %d: the first source is the replica D replaces", t.partition())
                    .doesNotContain(replaced);
            assertThat(new HashSet<>(t.sources())).isEqualTo(new HashSet<>(before.preferenceList(t.partition())));
            assertThat(t.sources()).doesNotContain(Rebalancer.UNKNOWN_PREDECESSOR);
        }
    }

    @Test
    void aJoinGivesTheOldMembersNothingToStream() {
        PartitionTable before = PartitionTable.initial(Set.of(A, B, C), PARTITIONS, 2);
        PartitionTable after = before.rebalance(Set.of(A, B, C, D));
        for (NodeId old : List.of(A, B, C)) {
            assertThat(Rebalancer.incoming(old, before, after)).as("%s", old).isEmpty();
        }
    }

    @Test
    void afterALeaveTheRemainingNodesStreamFromTheLeaverFirst() {
        PartitionTable before = PartitionTable.initial(Set.of(A, B, C, D), PARTITIONS, 2);
        PartitionTable after = before.rebalance(Set.of(A, B, C));
        List<Transfer> all = new ArrayList<>();
        for (NodeId self : List.of(A, B, C)) {
            List<Transfer> incoming = Rebalancer.incoming(self, before, after);
            assertThat(partitionsOf(incoming)).isEqualTo(partitionsGained(self, before, after));
            incoming.forEach(t -> {
                assertThat(t.target()).isEqualTo(self);
                assertThat(t.sources().get(0)).isEqualTo(D);
            });
            all.addAll(incoming);
        }
        // Every replica D held moves to exactly one of the others.
        assertThat(all).hasSize(before.partitionsOf(D).length);
        assertThat(Rebalancer.incoming(D, before, after)).isEmpty();
    }

    @Test
    void withoutThePreviousTableEveryHeldPartitionStreamsFromAllOtherReplicas() {
        PartitionTable after = PartitionTable.initial(Set.of(A, B, C, D), PARTITIONS, 3);

        List<Transfer> incoming = Rebalancer.incoming(D, null, after);

        int[] held = after.partitionsOf(D);
        assertThat(incoming).hasSize(held.length);
        assertThat(incoming.stream().mapToInt(Transfer::partition).toArray()).containsExactly(held);
        for (Transfer t : incoming) {
            List<NodeId> expected = new ArrayList<>();
            expected.add(Rebalancer.UNKNOWN_PREDECESSOR);
            after.preferenceList(t.partition()).stream()
                    .filter(id -> !id.equals(D))
                    .forEach(expected::add);
            assertThat(t.sources()).as("partition %d", t.partition()).isEqualTo(expected);
            assertThat(t.sources()).hasSize(3); // unknown + the 2 other replicas of N=3
            assertThat(t.target()).isEqualTo(D);
        }
    }

    @Test
    void aPreviousTableWithAnotherPartitionCountCountsAsUnknown() {
        PartitionTable other = PartitionTable.initial(Set.of(A, B), PARTITIONS * 2, 2);
        PartitionTable after = PartitionTable.initial(Set.of(A, B, C), PARTITIONS, 2);
        assertThat(Rebalancer.incoming(C, other, after)).isEqualTo(Rebalancer.incoming(C, null, after));
    }

    @Test
    void aSingleNodeTableGivesNothingToStream() {
        PartitionTable alone = PartitionTable.initial(A, PARTITIONS, 3);
        assertThat(Rebalancer.incoming(A, null, alone)).isEmpty();
        assertThat(Rebalancer.incoming(A, alone, alone)).isEmpty();
    }

    @Test
    void anUnchangedTableGivesNothingToStream() {
        PartitionTable table = PartitionTable.initial(Set.of(A, B, C), PARTITIONS, 2);
        for (NodeId self : List.of(A, B, C)) {
            assertThat(Rebalancer.incoming(self, table, table)).isEmpty();
        }
    }

    // ---- bookkeeping -----------------------------------------------------------------------------

    @Test
    void aNewNodeHoldsEverythingItHasNoStreams() {
        Rebalancer r = rebalancer(A, PartitionTable.initial(A, PARTITIONS, 3));
        assertThat(r.incompleteCount()).isZero();
        for (int p = -1; p <= PARTITIONS; p++) {
            assertThat(r.isIncomplete(p)).as("partition %d", p).isFalse();
        }
        r.resume(); // nothing to resume
        assertThat(meta.streaming(A)).isEmpty();
    }

    @Test
    void aNewTableMarksTheGainedPartitionsIncompleteAndSavesTheirStreams() {
        PartitionTable before = PartitionTable.initial(Set.of(A, B, C), PARTITIONS, 2);
        PartitionTable after = before.rebalance(Set.of(A, B, C, D));
        Rebalancer r = rebalancer(D, before);

        newTable(r, after);

        List<Transfer> expected = Rebalancer.incoming(D, before, after);
        Set<Integer> gained = partitionsOf(expected);
        assertThat(r.incompleteCount()).isEqualTo(gained.size());
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(r.isIncomplete(p)).as("partition %d", p).isEqualTo(gained.contains(p));
        }
        assertThat(meta.streaming(D)).containsExactlyInAnyOrderElementsOf(expected);

        // The same table again starts nothing new.
        newTable(r, after);
        assertThat(r.incompleteCount()).isEqualTo(gained.size());
        assertThat(meta.streaming(D)).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void aJoinerThatNeverSawThePreviousTableStreamsEveryHeldPartitionFromAllReplicas() {
        PartitionTable after = PartitionTable.initial(Set.of(A, B, C, D), PARTITIONS, 2);
        Rebalancer r = rebalancer(D, null);

        newTable(r, after);

        assertThat(r.incompleteCount()).isEqualTo(after.partitionsOf(D).length);
        for (int p : after.partitionsOf(D)) {
            assertThat(r.isIncomplete(p)).isTrue();
        }
        assertThat(meta.streaming(D))
                .allSatisfy(t -> assertThat(t.sources().get(0)).isEqualTo(Rebalancer.UNKNOWN_PREDECESSOR));
    }

    @Test
    void completedPartitionsLeaveTheBookkeepingAndTheMetadata() {
        PartitionTable before = PartitionTable.initial(Set.of(A, B, C), PARTITIONS, 2);
        PartitionTable after = before.rebalance(Set.of(A, B, C, D));
        Rebalancer r = rebalancer(D, before);
        newTable(r, after);
        List<Integer> gained = new ArrayList<>(partitionsOf(Rebalancer.incoming(D, before, after)));
        assertThat(gained).hasSizeGreaterThanOrEqualTo(2);
        int first = gained.get(0);

        r.completed(first);

        assertThat(r.isIncomplete(first)).isFalse();
        assertThat(r.incompleteCount()).isEqualTo(gained.size() - 1);
        assertThat(meta.streaming(D)).extracting(Transfer::partition).doesNotContain(first);

        r.completed(first); // twice: no change
        int notStreaming = IntStream.range(0, PARTITIONS)
                .filter(p -> !gained.contains(p))
                .findFirst()
                .orElseThrow();
        r.completed(notStreaming); // never streamed: no change
        assertThat(r.incompleteCount()).isEqualTo(gained.size() - 1);

        gained.forEach(r::completed);
        assertThat(r.incompleteCount()).isZero();
        assertThat(meta.streaming(D)).isEmpty();
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(r.isIncomplete(p)).isFalse();
        }
    }

    @Test
    void incompletePartitionsSurviveARestart() {
        PartitionTable before = PartitionTable.initial(Set.of(A, B, C), PARTITIONS, 2);
        PartitionTable after = before.rebalance(Set.of(A, B, C, D));
        Rebalancer first = rebalancer(D, before);
        newTable(first, after);
        List<Integer> gained = new ArrayList<>(partitionsOf(Rebalancer.incoming(D, before, after)));
        int done = gained.remove(0);
        first.completed(done);

        // A new process over the same metadata, as Cluster.start builds it: it knows the new table.
        Rebalancer restarted = rebalancer(D, after);

        assertThat(restarted.incompleteCount()).isEqualTo(gained.size());
        assertThat(restarted.isIncomplete(done)).isFalse();
        gained.forEach(
                p -> assertThat(restarted.isIncomplete(p)).as("partition %d", p).isTrue());
        restarted.resume(); // no shard runs yet: nothing is handed over, nothing is lost
        assertThat(restarted.incompleteCount()).isEqualTo(gained.size());

        // The table it already knows starts nothing twice; completing still works after the restart.
        newTable(restarted, after);
        assertThat(restarted.incompleteCount()).isEqualTo(gained.size());
        gained.forEach(restarted::completed);
        assertThat(restarted.incompleteCount()).isZero();
        assertThat(rebalancer(D, after).incompleteCount()).isZero();
    }

    /** Fault-harness seed 20261207: a node replaced mid-stream left streams that never ended. */
    @Test
    void aPartitionTheRingMovesOnBeforeItsStreamEndsIsNoLongerIncomplete() {
        PartitionTable before = PartitionTable.initial(Set.of(A, B, C), PARTITIONS, 2);
        PartitionTable joined = before.rebalance(Set.of(A, B, C, D));
        Rebalancer r = rebalancer(D, before);
        newTable(r, joined);
        Set<Integer> gained = partitionsOf(Rebalancer.incoming(D, before, joined));
        assertThat(gained).isNotEmpty();

        // D is removed before its streams end; the next table gives it nothing.
        PartitionTable removed = joined.rebalance(Set.of(A, B, C));
        assertThat(removed.partitionsOf(D)).isEmpty();
        newTable(r, removed);

        assertThat(r.incompleteCount()).isZero();
        gained.forEach(p -> assertThat(r.isIncomplete(p)).as("partition %d", p).isFalse());
        assertThat(meta.streaming(D)).isEmpty();
        assertThat(rebalancer(D, removed).incompleteCount())
                .as("after a restart")
                .isZero();
    }

    @Test
    void partitionsTheNextTableKeepHereStayIncompleteWithTheirSources() {
        PartitionTable before = PartitionTable.initial(Set.of(A, B, C), PARTITIONS, 2);
        PartitionTable joined = before.rebalance(Set.of(A, B, C, D));
        Rebalancer r = rebalancer(D, before);
        newTable(r, joined);
        List<Transfer> streams = Rebalancer.incoming(D, before, joined);

        // A leaves: D keeps some of the partitions it is streaming and may gain others.
        PartitionTable next = joined.rebalance(Set.of(B, C, D));
        newTable(r, next);

        for (Transfer t : streams) {
            assertThat(r.isIncomplete(t.partition()))
                    .as("partition %d", t.partition())
                    .isEqualTo(next.holds(D, t.partition()));
        }
        assertThat(meta.streaming(D))
                .filteredOn(t -> streams.stream().anyMatch(s -> s.partition() == t.partition()))
                .allSatisfy(t -> assertThat(streams).contains(t)); // kept ones keep their sources
    }

    // ---- copies of partitions this node lost -------------------------------------------------------

    private static final String TABLE = "default";
    private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);

    private static Versioned value() {
        return new Versioned(
                VersionVector.of(Map.of(A, 1L)), 1L, A, ValueKind.JSON, "1".getBytes(StandardCharsets.UTF_8));
    }

    /** A partition that D takes from A when D joins A, B, C (N=3), and gives back when D leaves. */
    private static Transfer handedFromAToD(PartitionTable before, PartitionTable joined) {
        return Rebalancer.incoming(D, before, joined).stream()
                .filter(t -> t.sources().get(0).equals(A))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void nodeThatLosesAndRegainsAPartitionDoesNotResurrectDeletesMadeMeanwhile() {
        PartitionTable before = PartitionTable.initial(Set.of(A, B, C), PARTITIONS, 3);
        PartitionTable joined = before.rebalance(Set.of(A, B, C, D));
        PartitionTable left = joined.rebalance(Set.of(A, B, C));
        int p = handedFromAToD(before, joined).partition();
        assertThat(left.holds(A, p)).isTrue();
        storage.put(p, TABLE, KEY, value());
        storage.sync();
        Rebalancer a = rebalancer(A, before);

        newTable(a, joined);
        assertThat(storage.get(p, TABLE, KEY))
                .as("kept until D holds the partition")
                .isPresent();

        // D streamed the partition in and says so to the replica it replaced.
        Rebalancer d = new Rebalancer(
                D,
                ShardRouters.unstarted(LOOPS),
                new ClusterMeta(new InMemoryStorageEngine(), Runnable::run),
                new InMemoryStorageEngine(),
                (to, message) -> sent.add(new Object[] {to, message}),
                Runnable::run,
                PARTITIONS,
                before);
        newTable(d, joined);
        d.completed(p);
        assertThat(sent).anySatisfy(s -> {
            assertThat(s[0]).isEqualTo(A);
            assertThat(s[1]).isEqualTo(new HandoffDone(p));
        });
        a.onHandoffDone(D, p);
        assertThat(storage.scanPartition(p, null, null, 10))
                .as("A's copy of partition %d", p)
                .isEmpty();

        // Meanwhile k is deleted and its tombstone purged on the holders; then D leaves and A
        // holds the partition again: it must stream it afresh, never serve its old copy.
        newTable(a, left);
        assertThat(a.isIncomplete(p)).isTrue();
        assertThat(storage.get(p, TABLE, KEY))
                .as("the value deleted while A did not hold it")
                .isEmpty();
        assertThat(rebalancer(A, left).isIncomplete(p)).as("after a restart").isTrue();
    }

    @Test
    void aCopyStillHereWhenThePartitionComesBackIsDroppedBeforeItStreams() {
        PartitionTable before = PartitionTable.initial(Set.of(A, B, C), PARTITIONS, 3);
        PartitionTable joined = before.rebalance(Set.of(A, B, C, D));
        PartitionTable left = joined.rebalance(Set.of(A, B, C));
        int p = handedFromAToD(before, joined).partition();
        storage.put(p, TABLE, KEY, value());
        storage.sync();
        Rebalancer a = rebalancer(A, before);

        newTable(a, joined);
        assertThat(rebalancer(A, joined).isIncomplete(p)).isFalse();
        newTable(rebalancer(A, joined), left); // a restarted A: the copy is still listed as lost

        assertThat(storage.get(p, TABLE, KEY)).isEmpty();
        assertThat(rebalancer(A, left).isIncomplete(p)).isTrue();
    }

    @Test
    void aHandoffFromANodeThatDoesNotHoldThePartitionDropsNothing() {
        PartitionTable before = PartitionTable.initial(Set.of(A, B, C), PARTITIONS, 3);
        PartitionTable joined = before.rebalance(Set.of(A, B, C, D));
        int p = handedFromAToD(before, joined).partition();
        storage.put(p, TABLE, KEY, value());
        Rebalancer a = rebalancer(A, before);
        newTable(a, joined);
        NodeId stranger = new NodeId(0x0eL);

        a.onHandoffDone(stranger, p);
        a.onHandoffDone(D, nonOrphan(joined, p));

        assertThat(storage.get(p, TABLE, KEY)).isPresent();
    }

    private static int nonOrphan(PartitionTable joined, int orphan) {
        return IntStream.range(0, PARTITIONS)
                .filter(q -> q != orphan && joined.holds(A, q))
                .findFirst()
                .orElseThrow();
    }
}
