package io.dynakv.cluster.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 3 item 2, measured: Q = 256, N = 3 over 3 → 4 → 8 → 16 → 32 nodes and back. Balance: every
 * member's slots within ±10% of N·Q/n (and, stricter, floor or ceil of it). Movement: replicas
 * streamed by a change ÷ all replicas (Q·R), against the ideal k/n for k nodes joining an n-node
 * cluster or leaving one; at most 1.2× the ideal. The printed tables go into the benchmark notes.
 */
class RingScalingTest {

    private static final int Q = Partitioner.DEFAULT_PARTITIONS;
    private static final int N = 3;
    private static final List<NodeId> IDS = RingChecks.nodeIds(0x5EEDL, 32);

    @Test
    void growOneAtATimeThenShrinkOneAtATime() {
        List<Integer> sizes = new ArrayList<>();
        for (int n = 3; n <= 32; n++) {
            sizes.add(n);
        }
        for (int n = 31; n >= 3; n--) {
            sizes.add(n);
        }
        run("3 -> 32 -> 3, one node at a time", sizes);
    }

    @Test
    void growAndShrinkInJumps() {
        run("3 -> 4 -> 8 -> 16 -> 32 -> 16 -> 8 -> 4 -> 3", List.of(3, 4, 8, 16, 32, 16, 8, 4, 3));
        run("3 -> 32 -> 3", List.of(3, 32, 3));
    }

    /**
     * Joins add the next ids; leaves remove the oldest members first (the seeds leave), so a leave
     * never simply undoes the join before it.
     */
    private static void run(String title, List<Integer> sizes) {
        List<NodeId> current = new ArrayList<>(IDS.subList(0, sizes.get(0)));
        int nextId = current.size();
        PartitionTable table = PartitionTable.initial(new TreeSet<>(current), Q, N);
        RingChecks.assertBalanced(table, title + " start");
        assertWithinTenPercent(table);
        StringBuilder report = new StringBuilder(String.format(
                Locale.ROOT,
                "%nRing movement, Q=%d N=%d: %s%n%-8s %-7s %8s %9s %9s %6s %10s %10s%n",
                Q,
                N,
                title,
                "change",
                "nodes",
                "moved",
                "fraction",
                "ideal",
                "ratio",
                "slots",
                "primaries"));
        for (int size : sizes.subList(1, sizes.size())) {
            int before = current.size();
            while (current.size() < size) {
                current.add(IDS.get(nextId++));
            }
            while (current.size() > size) {
                current.remove(0);
            }
            Set<NodeId> members = new TreeSet<>(current);
            PartitionTable next = table.rebalance(members);
            String step = title + " " + before + " -> " + size;
            RingChecks.assertBalanced(next, step);
            assertWithinTenPercent(next);
            int moved = RingChecks.moved(table, next);
            assertThat(table.transfersTo(next)).as(step).hasSize(moved);
            assertThat(moved)
                    .as(step + ": no balanced table moves less")
                    .isEqualTo(RingChecks.minimumMoves(table, members));
            double slots = (double) Q * Math.min(N, Math.max(before, size));
            double fraction = moved / slots;
            double ideal = (double) Math.abs(size - before) / Math.max(before, size);
            assertThat(fraction).as(step + ": moved vs ideal k/n").isLessThanOrEqualTo(1.2 * ideal);
            report.append(String.format(
                    Locale.ROOT,
                    "%-8s %2d -> %2d %8d %9.4f %9.4f %6.3f %10s %10s%n",
                    size > before ? "join" : "leave",
                    before,
                    size,
                    moved,
                    fraction,
                    ideal,
                    fraction / ideal,
                    range(RingChecks.loads(next).values()),
                    range(RingChecks.primaries(next).values())));
            table = next;
        }
        System.out.print(report);
    }

    /** The wording: within ±10% of even, N·Q/n slots per member. */
    private static void assertWithinTenPercent(PartitionTable table) {
        double even = (double) Q * table.replicationFactor() / table.members().size();
        assertThat(RingChecks.loads(table).values())
                .as("±10%% of %.2f slots", even)
                .allSatisfy(load -> assertThat((double) load).isBetween(0.9 * even, 1.1 * even));
    }

    private static String range(java.util.Collection<Integer> values) {
        int min = values.stream().min(Integer::compare).orElseThrow();
        int max = values.stream().max(Integer::compare).orElseThrow();
        return min + ".." + max;
    }

    /**
     * The configuration matrix: N = 1, 3, 5 and Q = 64, 256, 1024, growing 1 → 32 and shrinking
     * back. Balance is floor/ceil at every step and movement the minimum any balanced table needs;
     * against k/n that is at most 1.2× the ideal, or within k slots of it where Q·R/n is so small
     * that one slot is more than 20% of a share.
     */
    @ParameterizedTest(name = "Q={0} N={1}")
    @CsvSource({"64,1", "64,3", "64,5", "256,1", "256,3", "256,5", "1024,1", "1024,3", "1024,5"})
    void balanceAndMovementAcrossTheMatrix(int partitions, int replicationFactor) {
        List<NodeId> ids = RingChecks.nodeIds(partitions * 31L + replicationFactor, 32);
        PartitionTable table = PartitionTable.initial(ids.get(0), partitions, replicationFactor);
        RingChecks.assertBalanced(table, "one node");
        double worst = 0;
        List<Integer> sizes = new ArrayList<>();
        for (int n = 2; n <= 32; n++) {
            sizes.add(n);
        }
        for (int n = 31; n >= 1; n--) {
            sizes.add(n);
        }
        List<NodeId> current = new ArrayList<>(List.of(ids.get(0)));
        int nextId = 1;
        for (int size : sizes) {
            int before = current.size();
            if (size > before) {
                current.add(ids.get(nextId++));
            } else {
                current.remove(current.size() / 2); // leave from the middle of the join order
            }
            Set<NodeId> members = new TreeSet<>(current);
            PartitionTable next = table.rebalance(members);
            String step = String.format(Locale.ROOT, "Q=%d N=%d %d -> %d", partitions, replicationFactor, before, size);
            RingChecks.assertBalanced(next, step);
            int moved = RingChecks.moved(table, next);
            assertThat(moved).as(step).isEqualTo(RingChecks.minimumMoves(table, members));
            double slots = (double) partitions * Math.min(replicationFactor, Math.max(before, size));
            double idealSlots = slots / Math.max(before, size);
            assertThat((double) moved).as(step).isLessThanOrEqualTo(Math.max(1.2 * idealSlots, idealSlots + 1));
            worst = Math.max(worst, moved / idealSlots);
            table = next;
        }
        System.out.printf(
                Locale.ROOT,
                "Q=%d N=%d: worst moved/ideal over 1->32->1 = %.3f%n",
                partitions,
                replicationFactor,
                worst);
    }
}
