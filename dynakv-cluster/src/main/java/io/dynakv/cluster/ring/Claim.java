package io.dynakv.cluster.ring;

import io.dynakv.common.NodeId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;

/**
 * Assigns partitions to members: the pure function behind {@link PartitionTable#rebalance}. The
 * idea is Riak's claim ({@code riak_core_claim}: walk a fixed partition ring, move partitions from
 * the most to the least loaded) applied to the Dynamo paper's section 6.2 strategy 3 (Q equal
 * partitions, Q/S per node), with targets exact rather than approximate. It works on slots, one per
 * (partition, replica position), R = min(N, members) per partition:
 *
 * <ol>
 *   <li><b>Keep.</b> Every slot held by a node that is still a member stays put, at its position.
 *       A departed node's slot becomes a hole in place; a list that must grow (the cluster grew
 *       towards N) gets holes at its end.
 *   <li><b>Targets.</b> Q·R slots over n members: each gets floor(Q·R/n), and the Q·R mod n extra
 *       slots go to the members that hold most now (ties: lower {@link NodeId}). Giving the extras
 *       to the fullest members keeps the slots that must move at the least any balanced table needs:
 *       the sum over members of max(0, target - slots kept). Among members tied at the boundary the
 *       extras may still change hands while holes are filled, which leaves that sum unchanged.
 *   <li><b>Fill holes.</b> Partition by partition, each hole goes to the member furthest below its
 *       target that does not hold the partition yet: the least loaded eligible member. When every
 *       member below target already holds it, slots filled earlier in this step are shifted along
 *       an augmenting path to make room, which streams nothing extra. Only when no such path exists
 *       (seen with fewer partitions than nodes) does a hole go to a member at target, costing one
 *       more replica moved in the next step.
 *   <li><b>Move excess.</b> While a member is above target, one of its slots goes to the member
 *       furthest below target, in a partition that member lacks. One always exists: the giver holds
 *       more partitions than the taker. The taker replaces the giver at the same position, and a slot
 *       the giver only gained in this round is preferred (moving it costs no extra streaming).
 *   <li><b>Primaries.</b> The member at position 0 is the partition's primary. Swaps within a list
 *       (which move no data) bring every member to floor or ceil of Q/n primaries where the
 *       placement allows it ({@link PrimaryBalance}).
 * </ol>
 *
 * <p>Every choice is deterministic: members are indexed in {@link NodeId} order, ties go to the lower
 * index, and where several members or partitions would do, a fixed 64-bit mix ({@link #score}) of
 * (partition, node) decides. It is not a random number, but it spreads a node's partitions over the
 * ring and over the nodes it shares them with, the way random tokens would (so the streaming of a
 * join and the extra load of a failure spread too), while every node computes the same table.
 */
final class Claim {

    private static final int HOLE = -1;

    private final int partitions;
    private final int replicas;
    private final List<NodeId> members;
    /** lists[p][position]: a member index, or HOLE while the claim runs. */
    private final int[][] lists;
    /** held[m]: the partitions member m holds now. */
    private final BitSet[] held;
    /** heldBefore[m]: what m held in the old table, so needs no streaming. */
    private final BitSet[] heldBefore;

    private final int[] load;
    private final int[] target;
    /**
     * swappable[m]: m is in the tie group at the floor/ceil boundary, members that held equally
     * many slots when the targets were set. Which of them get the ceil does not change the minimum
     * movement, so the choice stays open while holes are filled.
     */
    private final boolean[] swappable;

    private Claim(PartitionTable old, List<NodeId> members, int partitions, int replicationFactor) {
        this.partitions = partitions;
        this.replicas = Math.min(replicationFactor, members.size());
        this.members = members;
        int n = members.size();
        this.lists = new int[partitions][replicas];
        this.held = new BitSet[n];
        this.heldBefore = new BitSet[n];
        this.load = new int[n];
        this.target = new int[n];
        this.swappable = new boolean[n];
        for (int m = 0; m < n; m++) {
            held[m] = new BitSet(partitions);
            heldBefore[m] = new BitSet(partitions);
        }
        if (old != null && old.partitions() != partitions) {
            throw new IllegalArgumentException("partition count is fixed: " + old.partitions() + " != " + partitions);
        }
        for (int p = 0; p < partitions; p++) {
            keep(p, old == null ? List.of() : old.preferenceList(p));
        }
    }

    /**
     * The preference lists for {@code members} (sorted, distinct), starting from {@code old}'s (null
     * for a new cluster).
     */
    static List<List<NodeId>> assign(PartitionTable old, List<NodeId> members, int partitions, int replicationFactor) {
        Claim claim = new Claim(old, members, partitions, replicationFactor);
        claim.setTargets();
        claim.fillHoles();
        claim.moveExcess();
        new PrimaryBalance(claim.lists, members.size()).run();
        return claim.result();
    }

    /** Step 1 for one partition: survivors keep their positions, departed nodes leave holes. */
    private void keep(int p, List<NodeId> before) {
        int survivors = 0;
        for (NodeId node : before) {
            survivors += indexOf(node) >= 0 ? 1 : 0;
        }
        if (survivors > replicas) {
            // R only shrinks when the cluster shrinks below N, and then every survivor fits.
            throw new IllegalStateException("partition " + p + " keeps " + survivors + " > " + replicas + " replicas");
        }
        int holes = replicas - survivors;
        int position = 0;
        for (NodeId node : before) {
            int m = indexOf(node);
            if (m >= 0) {
                lists[p][position++] = m;
                held[m].set(p);
                heldBefore[m].set(p);
                load[m]++;
            } else if (holes > 0) {
                lists[p][position++] = HOLE; // the replacement takes the departed node's position
                holes--;
            }
        }
        while (position < replicas) {
            lists[p][position++] = HOLE;
        }
    }

    /** Step 2: floor(Q·R/n) each, the remainder to those who hold most already. */
    private void setTargets() {
        int n = members.size();
        int total = partitions * replicas;
        List<Integer> order = new ArrayList<>(n);
        for (int m = 0; m < n; m++) {
            order.add(m);
        }
        order.sort((a, b) -> load[a] != load[b] ? Integer.compare(load[b], load[a]) : Integer.compare(a, b));
        int extra = total % n;
        for (int rank = 0; rank < n; rank++) {
            target[order.get(rank)] = total / n + (rank < extra ? 1 : 0);
        }
        if (extra > 0 && load[order.get(extra - 1)] == load[order.get(extra)]) {
            int boundary = load[order.get(extra)];
            for (int m = 0; m < n; m++) {
                swappable[m] = load[m] == boundary;
            }
        }
    }

    /**
     * Whether m can take one more slot without leaving its target: it is below target, or it is at
     * floor in the boundary tie group and another member of the group has not used its extra slot
     * yet, which then hands the extra over (the minimum movement stays the same).
     */
    private boolean makeRoom(int m) {
        if (target[m] > load[m]) {
            return true;
        }
        if (!swappable[m] || target[m] != load[m] || target[m] != partitions * replicas / members.size()) {
            return false;
        }
        for (int donor = 0; donor < members.size(); donor++) {
            if (swappable[donor] && target[donor] > target[m] && load[donor] <= target[m]) {
                target[donor]--;
                target[m]++;
                return true;
            }
        }
        return false;
    }

    /** Step 3: each hole to the least loaded member (relative to its target) lacking the partition. */
    private void fillHoles() {
        for (int p = 0; p < partitions; p++) {
            for (int position = 0; position < replicas; position++) {
                if (lists[p][position] != HOLE) {
                    continue;
                }
                int best = -1;
                for (int m = 0; m < members.size(); m++) {
                    if (!held[m].get(p) && (best < 0 || prefer(p, m, best))) {
                        best = m;
                    }
                }
                // A member lacking p exists, since p has fewer than R <= n holders. If it is already at
                // target, every member below target holds p: shift earlier fresh slots to make room.
                if (target[best] > load[best] || !reroute(p, position)) {
                    give(p, position, best);
                }
            }
        }
    }

    /**
     * Fills the hole at (p, position) along an augmenting path of fresh slots (filled in this round,
     * so reassigning them streams nothing extra): x takes p and hands a fresh slot q to y, which hands
     * a fresh slot q' to z, ... until a member below target takes the last one. Breadth-first over
     * members in index order, each member and partition used once. Without it the hole would go to a
     * member at target, and moving that member's excess on would stream one more replica.
     */
    private boolean reroute(int p, int position) {
        int n = members.size();
        int[] parent = new int[n];
        int[] via = new int[n];
        Arrays.fill(parent, -1);
        boolean[] seen = new boolean[n];
        BitSet usedPartitions = new BitSet(partitions);
        usedPartitions.set(p);
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int m = 0; m < n; m++) {
            if (!held[m].get(p)) {
                if (makeRoom(m)) {
                    give(p, position, m);
                    return true;
                }
                seen[m] = true;
                queue.add(m);
            }
        }
        while (!queue.isEmpty()) {
            int x = queue.poll();
            BitSet fresh = (BitSet) held[x].clone();
            fresh.andNot(heldBefore[x]);
            fresh.andNot(usedPartitions);
            for (int q = fresh.nextSetBit(0); q >= 0; q = fresh.nextSetBit(q + 1)) {
                usedPartitions.set(q);
                for (int y = 0; y < n; y++) {
                    if (seen[y] || held[y].get(q)) {
                        continue;
                    }
                    seen[y] = true;
                    parent[y] = x;
                    via[y] = q;
                    if (makeRoom(y)) {
                        shift(p, position, y, parent, via);
                        return true;
                    }
                    queue.add(y);
                }
            }
        }
        return false;
    }

    /** Applies a path found by {@link #reroute}: walks back from the member below target. */
    private void shift(int p, int position, int last, int[] parent, int[] via) {
        int y = last;
        while (parent[y] >= 0) {
            int x = parent[y];
            int q = via[y];
            give(q, positionOf(q, x), y);
            held[x].clear(q);
            load[x]--;
            y = x;
        }
        give(p, position, y); // the first member of the path takes the hole itself
    }

    private void give(int p, int position, int m) {
        lists[p][position] = m;
        held[m].set(p);
        load[m]++;
    }

    /** Whether m is a better receiver of p than the current best: larger deficit, then score. */
    private boolean prefer(int p, int m, int best) {
        int deficit = target[m] - load[m];
        int bestDeficit = target[best] - load[best];
        if (deficit != bestDeficit) {
            return deficit > bestDeficit;
        }
        return score(p, members.get(m)) < score(p, members.get(best));
    }

    /** Step 4: from the most loaded to the least loaded, one slot at a time. */
    private void moveExcess() {
        while (true) {
            int giver = extreme(1);
            if (giver < 0) {
                return;
            }
            int taker = extreme(-1);
            if (taker < 0) {
                throw new IllegalStateException("a member is above target but none is below");
            }
            int p = pickPartition(giver, taker);
            int position = positionOf(p, giver);
            lists[p][position] = taker;
            held[giver].clear(p);
            held[taker].set(p);
            load[giver]--;
            load[taker]++;
        }
    }

    /** The member furthest above (sign 1) or below (sign -1) its target, lowest index on ties. */
    private int extreme(int sign) {
        int best = -1;
        int bestGap = 0;
        for (int m = 0; m < members.size(); m++) {
            int gap = sign * (load[m] - target[m]);
            if (gap > bestGap) {
                best = m;
                bestGap = gap;
            }
        }
        return best;
    }

    /**
     * A partition the giver holds and the taker lacks. The giver is above target and the taker below,
     * so the giver holds more partitions and one exists. Prefer one the giver gained in this round.
     * The search costs O(Q/64) per slot: a join at Q = 65536 and 64 nodes takes about 0.1 s.
     */
    private int pickPartition(int giver, int taker) {
        BitSet candidates = (BitSet) held[giver].clone();
        candidates.andNot(held[taker]);
        BitSet fresh = (BitSet) candidates.clone();
        fresh.andNot(heldBefore[giver]);
        BitSet from = fresh.isEmpty() ? candidates : fresh;
        // Start the search at a pseudo-random partition (the same on every node): the taker's slots
        // spread over the ring instead of bunching at low partition numbers.
        int start = (int) (score(load[taker], members.get(taker)) % partitions);
        int p = from.nextSetBit(start);
        if (p < 0) {
            p = from.nextSetBit(0);
        }
        if (p < 0) {
            throw new IllegalStateException("no partition to move from " + giver + " to " + taker);
        }
        return p;
    }

    private int positionOf(int p, int m) {
        for (int position = 0; position < replicas; position++) {
            if (lists[p][position] == m) {
                return position;
            }
        }
        throw new IllegalStateException("member " + m + " does not hold partition " + p);
    }

    /** Checks the claim's promise (a broken one is a bug) and converts to node ids. */
    private List<List<NodeId>> result() {
        int[] counted = new int[members.size()];
        List<List<NodeId>> result = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            NodeId[] list = new NodeId[replicas];
            for (int position = 0; position < replicas; position++) {
                int m = lists[p][position];
                counted[m]++;
                list[position] = members.get(m);
            }
            result.add(List.of(list));
        }
        if (!Arrays.equals(counted, target)) {
            throw new IllegalStateException("claim missed its targets: " + Arrays.toString(counted));
        }
        return result;
    }

    private int indexOf(NodeId node) {
        int i = Collections.binarySearch(members, node);
        return i >= 0 ? i : -1;
    }

    /** A fixed, non-negative mix of (partition, node) used to break ties: SplitMix64's finalizer. */
    static long score(int partition, NodeId node) {
        long z = node.value() ^ (partition * 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) >>> 1;
    }
}
