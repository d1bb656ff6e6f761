package io.dynakv.cluster.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.common.NodeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The fixed-list ring: preference lists of N distinct nodes, primaries spread evenly (Dynamo 4.3). */
class StaticRingTest {

    private static List<NodeId> nodes(int count) {
        List<NodeId> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            nodes.add(new NodeId(0x1000L * (i + 1) ^ Long.MIN_VALUE));
        }
        return nodes;
    }

    @Property
    void preferenceListHasMinOfNAndNodesDistinctMembersPrimaryFirst(
            @ForAll @IntRange(min = 1, max = 12) int nodeCount,
            @ForAll @IntRange(min = 1, max = 6) int n,
            @ForAll @IntRange(min = 0, max = 65535) int partition) {
        List<NodeId> nodes = nodes(nodeCount);
        StaticRing ring = new StaticRing(nodes, n);
        List<NodeId> list = ring.preferenceList(partition);
        int expected = Math.min(n, nodeCount);
        assertThat(ring.replicationFactor()).isEqualTo(expected);
        assertThat(list).hasSize(expected).doesNotHaveDuplicates();
        assertThat(nodes).containsAll(list);
        assertThat(list.get(0)).isEqualTo(nodes.get(partition % nodeCount));
        // The next replicas walk the ring clockwise from the primary (brute force).
        for (int i = 0; i < expected; i++) {
            assertThat(list.get(i)).isEqualTo(nodes.get((partition + i) % nodeCount));
        }
    }

    @Property
    void primariesAndReplicasAreSpreadEvenly(
            @ForAll @IntRange(min = 1, max = 12) int nodeCount, @ForAll @IntRange(min = 1, max = 6) int n) {
        int partitions = Partitioner.DEFAULT_PARTITIONS;
        StaticRing ring = new StaticRing(nodes(nodeCount), n);
        Map<NodeId, Integer> primaries = new HashMap<>();
        Map<NodeId, Integer> replicas = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            List<NodeId> list = ring.preferenceList(p);
            primaries.merge(list.get(0), 1, Integer::sum);
            list.forEach(node -> replicas.merge(node, 1, Integer::sum));
        }
        assertThat(primaries).hasSize(nodeCount);
        int fewest = primaries.values().stream().min(Integer::compare).orElseThrow();
        int most = primaries.values().stream().max(Integer::compare).orElseThrow();
        assertThat(most - fewest).isLessThanOrEqualTo(1);
        int fewestReplicas = replicas.values().stream().min(Integer::compare).orElseThrow();
        int mostReplicas = replicas.values().stream().max(Integer::compare).orElseThrow();
        assertThat(mostReplicas - fewestReplicas).isLessThanOrEqualTo(ring.replicationFactor());
    }

    @Example
    void singleNodeRingHoldsEverything() {
        NodeId only = new NodeId(42);
        StaticRing ring = new StaticRing(List.of(only), 3);
        assertThat(ring.replicationFactor()).isEqualTo(1);
        assertThat(ring.preferenceList(0)).containsExactly(only);
        assertThat(ring.preferenceList(255)).containsExactly(only);
    }

    @Example
    void hugePartitionNumbersDoNotOverflow() {
        StaticRing ring = new StaticRing(nodes(3), 3);
        List<NodeId> list = ring.preferenceList(Integer.MAX_VALUE);
        assertThat(list).hasSize(3).doesNotHaveDuplicates();
        assertThat(list.get(0)).isEqualTo(nodes(3).get(Integer.MAX_VALUE % 3));
    }

    @Example
    void invalidRingsAndPartitionsAreRejected() {
        assertThatThrownBy(() -> new StaticRing(List.of(), 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StaticRing(nodes(3), 0)).isInstanceOf(IllegalArgumentException.class);
        NodeId a = new NodeId(1);
        assertThatThrownBy(() -> new StaticRing(List.of(a, new NodeId(2), a), 3))
                .as("a repeated node would appear twice in a preference list")
                .isInstanceOf(IllegalArgumentException.class);
        StaticRing ring = new StaticRing(nodes(3), 2);
        assertThatThrownBy(() -> ring.preferenceList(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Example
    void ringKeepsItsOwnCopyOfTheNodeList() {
        List<NodeId> nodes = new ArrayList<>(nodes(3));
        StaticRing ring = new StaticRing(nodes, 3);
        List<NodeId> before = ring.preferenceList(0);
        nodes.set(0, new NodeId(999));
        assertThat(ring.preferenceList(0)).isEqualTo(before);
        assertThat(new HashSet<>(before)).hasSize(3);
    }
}
