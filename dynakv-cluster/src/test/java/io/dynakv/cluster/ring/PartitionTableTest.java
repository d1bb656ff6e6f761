package io.dynakv.cluster.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.common.NodeId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The partition table's contract, example by example (the claim's properties: ClaimPropertyTest). */
class PartitionTableTest {

    private static final List<NodeId> IDS = RingChecks.nodeIds(42, 40);

    @Test
    void theFirstNodeHoldsEveryPartition() {
        NodeId first = IDS.get(0);
        PartitionTable table = PartitionTable.initial(first, 256, 3);
        assertThat(table.epoch()).isEqualTo(1);
        assertThat(table.partitions()).isEqualTo(256);
        assertThat(table.requestedReplicationFactor()).isEqualTo(3);
        assertThat(table.replicationFactor()).as("capped by one member").isEqualTo(1);
        assertThat(table.members()).containsExactly(first);
        for (int p = 0; p < 256; p++) {
            assertThat(table.preferenceList(p)).containsExactly(first);
        }
        assertThat(table.partitionsOf(first)).hasSize(256);
    }

    @Test
    void aClusterSmallerThanNStoresEveryPartitionOnEveryNode() {
        for (int n = 1; n <= 5; n++) {
            Set<NodeId> members = RingChecks.firstN(IDS, n);
            PartitionTable table = PartitionTable.initial(members, 64, 5);
            assertThat(table.replicationFactor()).isEqualTo(n);
            for (int p = 0; p < 64; p++) {
                assertThat(table.preferenceList(p)).containsExactlyInAnyOrderElementsOf(members);
            }
            RingChecks.assertBalanced(table, n + " of N=5");
        }
    }

    @Test
    void growingTowardsNCopiesEveryPartitionToTheNewNode() {
        PartitionTable one = PartitionTable.initial(IDS.get(0), 256, 3);
        PartitionTable two = one.rebalance(RingChecks.firstN(IDS, 2));
        assertThat(two.epoch()).isEqualTo(2);
        List<Transfer> transfers = one.transfersTo(two);
        assertThat(transfers).hasSize(256).allSatisfy(t -> {
            assertThat(t.sources()).containsExactly(IDS.get(0));
            assertThat(t.target()).isEqualTo(IDS.get(1));
        });
        PartitionTable three = two.rebalance(RingChecks.firstN(IDS, 3));
        assertThat(two.transfersTo(three)).hasSize(256).allSatisfy(t -> assertThat(t.target())
                .isEqualTo(IDS.get(2)));
        RingChecks.assertBalanced(three, "three nodes, N=3");
    }

    @Test
    void theSameMembersChangeNothing() {
        PartitionTable table = PartitionTable.initial(RingChecks.firstN(IDS, 7), 256, 3);
        assertThat(table.rebalance(new HashSet<>(table.members()))).isSameAs(table);
        PartitionTable grown = table.rebalance(RingChecks.firstN(IDS, 8));
        assertThat(grown.epoch()).isEqualTo(table.epoch() + 1);
        assertThat(grown.rebalance(RingChecks.firstN(IDS, 8))).isSameAs(grown);
        assertThat(table.transfersTo(table)).isEmpty();
    }

    @Test
    void theSameInputsInAnyOrderGiveEqualTables() {
        List<NodeId> members = new ArrayList<>(IDS.subList(0, 12));
        PartitionTable sorted = PartitionTable.initial(new TreeSet<>(members), 256, 3);
        Collections.reverse(members);
        assertThat(PartitionTable.initial(new LinkedHashSet<>(members), 256, 3)).isEqualTo(sorted);
        assertThat(PartitionTable.initial(new HashSet<>(members), 256, 3)).isEqualTo(sorted);
        // Two nodes applying the same change to their own copies of the table agree.
        PartitionTable copy = PartitionTable.decode(sorted.encode());
        members.remove(3);
        members.add(IDS.get(20));
        PartitionTable here = sorted.rebalance(new LinkedHashSet<>(members));
        Collections.shuffle(members, new java.util.Random(7));
        PartitionTable there = copy.rebalance(new LinkedHashSet<>(members));
        assertThat(there).isEqualTo(here).hasSameHashCodeAs(here);
        assertThat(there.encode()).isEqualTo(here.encode());
    }

    /**
     * Dynamo §6.2 strategy 3: a joining node takes partitions from the others and nothing else moves;
     * each old member gives up only what it holds above its new share.
     */
    @Test
    void onlyTheJoiningNodeGains() {
        PartitionTable table = PartitionTable.initial(RingChecks.firstN(IDS, 3), 256, 3);
        for (int n = 4; n <= 32; n++) {
            NodeId joiner = IDS.get(n - 1);
            PartitionTable next = table.rebalance(RingChecks.firstN(IDS, n));
            Map<NodeId, Integer> before = RingChecks.loads(table);
            Map<NodeId, Integer> after = RingChecks.loads(next);
            int lost = 0;
            for (NodeId old : table.members()) {
                assertThat(after.get(old)).as("%d nodes, %s", n, old).isLessThanOrEqualTo(before.get(old));
                lost += before.get(old) - after.get(old);
            }
            assertThat(lost).isEqualTo(after.get(joiner));
            assertThat(table.transfersTo(next)).hasSize(after.get(joiner)).allSatisfy(t -> assertThat(t.target())
                    .isEqualTo(joiner));
            table = next;
        }
    }

    /** A departed node's slots go to survivors; no survivor loses one, none moves elsewhere. */
    @Test
    void aLeaveOnlyReplacesTheLeaver() {
        PartitionTable table = PartitionTable.initial(RingChecks.firstN(IDS, 32), 256, 3);
        List<NodeId> members = new ArrayList<>(table.members());
        while (members.size() > 3) {
            NodeId leaver = members.remove(members.size() / 3);
            PartitionTable next = table.rebalance(new TreeSet<>(members));
            for (int p = 0; p < 256; p++) {
                Set<NodeId> kept = new HashSet<>(table.preferenceList(p));
                kept.remove(leaver);
                assertThat(next.preferenceList(p)).containsAll(kept);
            }
            assertThat(table.transfersTo(next))
                    .hasSize(RingChecks.loads(table).get(leaver))
                    .allSatisfy(t -> assertThat(t.sources()).contains(leaver));
            table = next;
        }
    }

    @Test
    void aReplacementMovesOnlyTheReplacedNodesShare() {
        PartitionTable table = PartitionTable.initial(RingChecks.firstN(IDS, 8), 256, 3);
        Set<NodeId> members = RingChecks.firstN(IDS, 8);
        NodeId dead = IDS.get(5);
        members.remove(dead);
        members.add(IDS.get(30));
        PartitionTable next = table.rebalance(members);
        assertThat(table.transfersTo(next))
                .hasSize(96)
                .allSatisfy(t -> assertThat(t.target()).isEqualTo(IDS.get(30)))
                .allSatisfy(t -> assertThat(t.sources()).contains(dead));
    }

    /**
     * When a node fails, the replicas it shares partitions with take its reads and hints; they should
     * be many, as with random tokens, not a few neighbours (Dynamo section 6.2 on strategy 1's
     * uneven handoff). 32 nodes: each shares 24 partitions x 2 other replicas over 31 nodes.
     */
    @Test
    void eachNodeSharesItsPartitionsWithManyOthers() {
        PartitionTable table = PartitionTable.initial(RingChecks.firstN(IDS, 3), 256, 3);
        for (int n = 4; n <= 32; n++) {
            table = table.rebalance(RingChecks.firstN(IDS, n));
        }
        for (NodeId node : table.members()) {
            Map<NodeId, Integer> shared = new java.util.TreeMap<>();
            for (int p : table.partitionsOf(node)) {
                table.preferenceList(p).stream()
                        .filter(other -> !other.equals(node))
                        .forEach(other -> shared.merge(other, 1, Integer::sum));
            }
            assertThat(shared).as("%s shares with", node).hasSizeGreaterThanOrEqualTo(16);
            assertThat(shared.values())
                    .as("%s shares with one node at most", node)
                    .allSatisfy(count -> assertThat(count).isLessThanOrEqualTo(8));
        }
    }

    @Test
    void holdsAndPartitionsOfAgreeWithThePreferenceLists() {
        PartitionTable table = PartitionTable.initial(RingChecks.firstN(IDS, 5), 64, 3);
        for (NodeId node : table.members()) {
            int[] mine = table.partitionsOf(node);
            assertThat(mine).isSorted().hasSize(RingChecks.loads(table).get(node));
            for (int p : mine) {
                assertThat(table.holds(node, p)).isTrue();
            }
        }
        assertThat(table.partitionsOf(IDS.get(39))).isEmpty();
        assertThat(table.holds(IDS.get(39), 0)).isFalse();
    }

    @Test
    void supersedesOrdersTablesTheSameWayEverywhere() {
        PartitionTable base = PartitionTable.initial(RingChecks.firstN(IDS, 4), 64, 3);
        Set<NodeId> withA = RingChecks.firstN(IDS, 4);
        withA.add(IDS.get(10));
        Set<NodeId> withB = RingChecks.firstN(IDS, 4);
        withB.add(IDS.get(11));
        PartitionTable a = base.rebalance(withA);
        PartitionTable b = base.rebalance(withB);
        assertThat(a.epoch()).isEqualTo(b.epoch());
        assertThat(a.supersedes(base)).isTrue();
        assertThat(base.supersedes(a)).isFalse();
        assertThat(a.supersedes(b))
                .as("exactly one of two concurrent tables wins")
                .isNotEqualTo(b.supersedes(a));
        assertThat(a.supersedes(PartitionTable.decode(a.encode()))).isFalse();
    }

    @Test
    void preferenceListsAreImmutableAndRangeChecked() {
        PartitionTable table = PartitionTable.initial(RingChecks.firstN(IDS, 4), 16, 3);
        assertThatThrownBy(() -> table.preferenceList(0).add(IDS.get(9)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> table.members().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> table.preferenceList(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> table.preferenceList(16)).isInstanceOf(IllegalArgumentException.class);
        assertThat(table.preferenceList(15)).hasSize(3);
    }

    @Test
    void invalidShapesAreRejected() {
        Set<NodeId> one = Set.of(IDS.get(0));
        assertThatThrownBy(() -> PartitionTable.initial(Set.of(), 256, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PartitionTable.initial(one, 0, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PartitionTable.initial(one, Partitioner.MAX_PARTITIONS + 1, 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PartitionTable.initial(one, 256, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PartitionTable.initial(one, 256, PartitionTable.MAX_REPLICATION_FACTOR + 1))
                .isInstanceOf(IllegalArgumentException.class);
        PartitionTable table = PartitionTable.initial(one, 256, 3);
        assertThatThrownBy(() -> table.rebalance(Set.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> table.transfersTo(PartitionTable.initial(one, 64, 3)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theConstructorRefusesBrokenInvariants() {
        NodeId a = IDS.get(0);
        NodeId b = IDS.get(1);
        List<NodeId> ab = new ArrayList<>(new TreeSet<>(List.of(a, b)));
        List<NodeId> ba = List.of(ab.get(1), ab.get(0));
        assertThat(new PartitionTable(3, 1, 2, ab, List.of(ba)).preferenceList(0))
                .isEqualTo(ba);
        assertThatThrownBy(() -> new PartitionTable(3, 1, 2, ba, List.of(ab)))
                .as("members out of order")
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PartitionTable(3, 1, 2, ab, List.of(List.of(a, a))))
                .as("a node twice in one list")
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PartitionTable(3, 1, 2, ab, List.of(List.of(a))))
                .as("a list shorter than min(N, n)")
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PartitionTable(3, 1, 2, ab, List.of(List.of(a, IDS.get(2)))))
                .as("a list naming a non-member")
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PartitionTable(-1, 1, 2, ab, List.of(ab)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PartitionTable(3, 2, 2, ab, List.of(ab)))
                .as("one list for two partitions")
                .isInstanceOf(IllegalArgumentException.class);
    }
}
