package io.dynakv.cluster.ring;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;
import java.util.function.IntPredicate;

/**
 * Spreads primaries (position 0 of each preference list) evenly by reordering lists, which moves no
 * data. The primary is the replica a key's coordinator usually is (Dynamo section 4.3), so even
 * slots but uneven primaries would still load one node's event loops more.
 *
 * <p>Goal: every member has floor(Q/n) or ceil(Q/n) primaries; a table that meets it is left as it
 * is. A primary moves along a shortest augmenting path: o is primary of p1 where x1 is a replica,
 * x1 is primary of p2 where x2 is a replica, ..., ending at a member that can take one more.
 * Swapping each primary with the next replica along the path changes only the counts of the two
 * ends. First members above ceil give to members below ceil, then members above floor give to
 * members below floor. Where no path exists (a member's partitions are all primaried by members
 * that cannot give), the imbalance stays: this is best effort, and the slot balance, which decides
 * where data lives, does not depend on it.
 */
final class PrimaryBalance {

    /** lists[p][position] = member index; reordered in place. */
    private final int[][] lists;

    private final int members;
    private final int[] primaries;
    /** primaryOf[m]: the partitions m is primary of, kept in step with lists. */
    private final BitSet[] primaryOf;

    private final int floor;
    private final int ceil;

    PrimaryBalance(int[][] lists, int members) {
        this.lists = lists;
        this.members = members;
        this.primaries = new int[members];
        this.primaryOf = new BitSet[members];
        for (int m = 0; m < members; m++) {
            primaryOf[m] = new BitSet(lists.length);
        }
        for (int p = 0; p < lists.length; p++) {
            primaries[lists[p][0]]++;
            primaryOf[lists[p][0]].set(p);
        }
        this.floor = lists.length / members;
        this.ceil = (lists.length + members - 1) / members;
    }

    void run() {
        // Each augmentation lowers the excess above ceil (then the shortfall below floor) by one.
        while (any(m -> primaries[m] > ceil) && augment(m -> primaries[m] > ceil, m -> primaries[m] < ceil)) {
            // keep going
        }
        while (any(m -> primaries[m] < floor) && augment(m -> primaries[m] > floor, m -> primaries[m] < floor)) {
            // keep going
        }
    }

    private boolean any(IntPredicate test) {
        for (int m = 0; m < members; m++) {
            if (test.test(m)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Breadth-first search from every giver at once (in index order) to the nearest taker; applies
     * the path found.
     */
    private boolean augment(IntPredicate giver, IntPredicate taker) {
        int[] parent = new int[members];
        int[] via = new int[members];
        Arrays.fill(parent, -1);
        boolean[] seen = new boolean[members];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int m = 0; m < members; m++) {
            if (giver.test(m)) {
                seen[m] = true;
                queue.add(m);
            }
        }
        while (!queue.isEmpty()) {
            int x = queue.poll();
            for (int p = primaryOf[x].nextSetBit(0); p >= 0; p = primaryOf[x].nextSetBit(p + 1)) {
                for (int position = 1; position < lists[p].length; position++) {
                    int y = lists[p][position];
                    if (seen[y]) {
                        continue;
                    }
                    seen[y] = true;
                    parent[y] = x;
                    via[y] = p;
                    if (taker.test(y)) {
                        apply(y, parent, via);
                        return true;
                    }
                    queue.add(y);
                }
            }
        }
        return false;
    }

    /** Walks back from {@code to}: each step makes y the primary of via[y] in place of parent[y]. */
    private void apply(int to, int[] parent, int[] via) {
        int y = to;
        while (parent[y] >= 0) {
            int[] list = lists[via[y]];
            for (int position = 1; position < list.length; position++) {
                if (list[position] == y) {
                    primaryOf[list[0]].clear(via[y]);
                    primaryOf[y].set(via[y]);
                    list[position] = list[0];
                    list[0] = y;
                    break;
                }
            }
            y = parent[y];
        }
        primaries[y]--; // y is now the giver the path started from
        primaries[to]++;
    }
}
