package io.dynakv.cluster.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.NodeId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/** Brute-force checks of a partition table, written without the claim's own bookkeeping. */
final class RingChecks {

    private RingChecks() {}

    /** {@code count} node ids that look like real ones (random 64-bit), the same for every seed. */
    static List<NodeId> nodeIds(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        Set<NodeId> seen = new HashSet<>();
        List<NodeId> ids = new ArrayList<>();
        while (ids.size() < count) {
            NodeId id = new NodeId(random.nextLong());
            if (seen.add(id)) {
                ids.add(id);
            }
        }
        return ids;
    }

    static Set<NodeId> firstN(List<NodeId> ids, int count) {
        return new TreeSet<>(ids.subList(0, count));
    }

    /** Slots per member: (partition, position) pairs, members holding nothing included as 0. */
    static Map<NodeId, Integer> loads(PartitionTable table) {
        Map<NodeId, Integer> loads = new TreeMap<>();
        table.members().forEach(m -> loads.put(m, 0));
        for (int p = 0; p < table.partitions(); p++) {
            table.preferenceList(p).forEach(node -> loads.merge(node, 1, Integer::sum));
        }
        return loads;
    }

    static Map<NodeId, Integer> primaries(PartitionTable table) {
        Map<NodeId, Integer> primaries = new TreeMap<>();
        table.members().forEach(m -> primaries.put(m, 0));
        for (int p = 0; p < table.partitions(); p++) {
            primaries.merge(table.preferenceList(p).get(0), 1, Integer::sum);
        }
        return primaries;
    }

    /**
     * The balance criterion: every preference list has R = min(N, n) distinct members, and every
     * member holds floor(Q·R/n) or ceil(Q·R/n) slots and floor(Q/n) or ceil(Q/n) primaries.
     */
    static void assertBalanced(PartitionTable table, String context) {
        int n = table.members().size();
        int replicas = Math.min(table.requestedReplicationFactor(), n);
        assertThat(table.replicationFactor()).as(context).isEqualTo(replicas);
        Set<NodeId> members = new HashSet<>(table.members());
        for (int p = 0; p < table.partitions(); p++) {
            List<NodeId> list = table.preferenceList(p);
            assertThat(list).as("%s partition %d", context, p).hasSize(replicas).doesNotHaveDuplicates();
            assertThat(members).as("%s partition %d", context, p).containsAll(list);
        }
        int slots = table.partitions() * replicas;
        assertThat(loads(table).values())
                .as("%s: slots per member, Q*R/n = %d/%d", context, slots, n)
                .allSatisfy(load -> assertThat(load).isBetween(slots / n, ceilDiv(slots, n)));
        assertThat(primaries(table).values())
                .as("%s: primaries per member", context)
                .allSatisfy(
                        count -> assertThat(count).isBetween(table.partitions() / n, ceilDiv(table.partitions(), n)));
    }

    /** Slots in {@code next} whose node did not hold that partition in {@code prev}: data streamed. */
    static int moved(PartitionTable prev, PartitionTable next) {
        int moved = 0;
        for (int p = 0; p < next.partitions(); p++) {
            for (NodeId node : next.preferenceList(p)) {
                moved += prev.preferenceList(p).contains(node) ? 0 : 1;
            }
        }
        return moved;
    }

    /**
     * The least any balanced table for {@code members} could move: a member can keep at most the
     * slots it holds, so it must gain at least target - held; and giving the extra floor/ceil slots
     * to the members that hold most minimises the sum.
     */
    static int minimumMoves(PartitionTable prev, Set<NodeId> members) {
        Map<NodeId, Integer> before = loads(prev);
        List<Integer> held = new ArrayList<>();
        for (NodeId m : members) {
            held.add(before.getOrDefault(m, 0));
        }
        held.sort((a, b) -> Integer.compare(b, a));
        int n = members.size();
        int slots = prev.partitions() * Math.min(prev.requestedReplicationFactor(), n);
        int minimum = 0;
        for (int rank = 0; rank < n; rank++) {
            int target = slots / n + (rank < slots % n ? 1 : 0);
            minimum += Math.max(0, target - held.get(rank));
        }
        return minimum;
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
