package io.dynakv.cluster.ring;

import io.dynakv.common.NodeId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * The ring as an explicit, versioned table: for each of the Q fixed partitions, its preference
 * list of R = min(N, members) distinct nodes, primary first. Immutable; every change makes a new
 * table with a higher {@link #epoch()}.
 *
 * <p><b>Why a table and not hashed tokens.</b> This is the Dynamo paper's section 6.2 "strategy 3":
 * Q equal-sized partitions, each node holding Q/S of them, and the placement of partitions kept as
 * data rather than derived from random tokens. The partitions a node holds are its virtual nodes.
 * The paper's strategy 1 (random tokens) and hashing vnodes onto the partitions both balance only
 * statistically: with Q = 256 and 32 nodes a node holds 8 partitions, and a hashed placement's
 * spread at that size is far outside the ±10% that DESIGN §3 asks for. Placing partitions by an
 * explicit, deterministic claim (after Riak's {@code riak_core_claim}, which also walks a fixed
 * partition ring and moves single partitions from the most to the least loaded) gives every node
 * exactly floor or ceil of its fair share, and a join or leave moves only the replicas it must.
 *
 * <p><b>Guarantees</b> of a table made by {@link #initial} or {@link #rebalance} (see {@link
 * Claim}):
 *
 * <ul>
 *   <li>Every preference list holds exactly R distinct members; a cluster smaller than N stores
 *       every partition on every node.
 *   <li>Slots: a node's load is the number of (partition, replica position) pairs it holds. Every
 *       member's load is floor(Q·R/n) or ceil(Q·R/n), so it is within one slot of even (within ±10%
 *       once Q·R/n ≥ 10).
 *   <li>Primaries (position 0, the usual coordinator) are spread the same way where the placement
 *       allows it, which it does in every configuration the tests try.
 *   <li>Movement: a join moves replicas only to the joining node, a leave only away from the leaving
 *       one, and the count is the least any balanced table could need: a single join or leave of an
 *       n-node cluster moves 1/n of the replicas, within one slot. (With fewer partitions than nodes
 *       the rule that lists be distinct can cost one more replica per departed node.)
 *   <li>Determinism: the result depends only on this table and the member set, never on iteration
 *       order or randomness, so every node that applies the same change computes the same table.
 * </ul>
 *
 * <p>A table decoded from another node ({@link PartitionTableCodec}) is checked for structure
 * (distinct members, lists of R distinct members) but not for balance, which only the claim
 * promises; {@link #rebalance} of any valid table restores balance.
 */
public final class PartitionTable implements Ring {

    /** A sanity bound for decoding; the node's --replication-factor allows far less. */
    public static final int MAX_REPLICATION_FACTOR = 255;

    private final long epoch;
    private final int partitions;
    private final int requestedReplicationFactor;
    private final List<NodeId> members;
    private final List<List<NodeId>> preferenceLists;

    /** Checks every structural invariant, so a table that exists is a valid table. */
    PartitionTable(
            long epoch,
            int partitions,
            int requestedReplicationFactor,
            List<NodeId> members,
            List<List<NodeId>> preferenceLists) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must not be negative: " + epoch);
        }
        checkShape(partitions, requestedReplicationFactor);
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a ring needs at least one member");
        }
        for (int i = 1; i < members.size(); i++) {
            if (members.get(i - 1).compareTo(members.get(i)) >= 0) {
                // Sorted and distinct: one canonical order, so equal tables encode equally.
                throw new IllegalArgumentException("members must be strictly ascending: " + members);
            }
        }
        if (preferenceLists.size() != partitions) {
            throw new IllegalArgumentException(
                    preferenceLists.size() + " preference lists for " + partitions + " partitions");
        }
        int replicas = Math.min(requestedReplicationFactor, members.size());
        Set<NodeId> memberSet = new HashSet<>(members);
        List<List<NodeId>> lists = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            List<NodeId> list = List.copyOf(preferenceLists.get(p));
            if (list.size() != replicas || new HashSet<>(list).size() != replicas || !memberSet.containsAll(list)) {
                throw new IllegalArgumentException(
                        "partition " + p + " needs " + replicas + " distinct members, has " + list);
            }
            lists.add(list);
        }
        this.epoch = epoch;
        this.partitions = partitions;
        this.requestedReplicationFactor = requestedReplicationFactor;
        this.members = List.copyOf(members);
        this.preferenceLists = List.copyOf(lists);
    }

    /** The first table of a new cluster: one node holds every partition. */
    public static PartitionTable initial(NodeId first, int partitions, int replicationFactor) {
        return initial(Set.of(first), partitions, replicationFactor);
    }

    /** The first table of a cluster that starts with several members (tests, the simulator). */
    public static PartitionTable initial(Set<NodeId> members, int partitions, int replicationFactor) {
        checkShape(partitions, replicationFactor);
        List<NodeId> sorted = sortedMembers(members);
        return new PartitionTable(
                1, partitions, replicationFactor, sorted, Claim.assign(null, sorted, partitions, replicationFactor));
    }

    /**
     * The table for a new member set: joined nodes take slots from the most loaded members, a
     * departed node's slots go to the least loaded members that do not hold that partition yet, and
     * every other slot stays where it is. Returns this table when nothing changes, otherwise one with
     * the next epoch.
     */
    public PartitionTable rebalance(Set<NodeId> newMembers) {
        List<NodeId> sorted = sortedMembers(newMembers);
        List<List<NodeId>> lists = Claim.assign(this, sorted, partitions, requestedReplicationFactor);
        if (sorted.equals(members) && lists.equals(preferenceLists)) {
            return this;
        }
        return new PartitionTable(epoch + 1, partitions, requestedReplicationFactor, sorted, lists);
    }

    /**
     * The table in which {@code fresh} holds exactly the slots {@code departed} held, at the same
     * positions, with the next epoch: a replacement of a dead node (Cassandra's
     * {@code replace_address}, Riak's {@code cluster replace}). No other slot moves, so only the
     * newcomer streams, and balance and primaries are as before.
     *
     * @throws IllegalArgumentException if {@code departed} is not a member or {@code fresh} is one
     */
    public PartitionTable replace(NodeId departed, NodeId fresh) {
        if (!members.contains(departed) || members.contains(fresh)) {
            throw new IllegalArgumentException(
                    fresh + " can replace " + departed + " only if that is a member and it is not: " + members);
        }
        Set<NodeId> next = new TreeSet<>(members);
        next.remove(departed);
        next.add(fresh);
        List<List<NodeId>> lists = new ArrayList<>(partitions);
        for (List<NodeId> list : preferenceLists) {
            lists.add(list.stream().map(id -> id.equals(departed) ? fresh : id).toList());
        }
        return new PartitionTable(epoch + 1, partitions, requestedReplicationFactor, sortedMembers(next), lists);
    }

    /**
     * What must be streamed to go from this table to {@code next}: one transfer for each node that
     * holds a partition in {@code next} but not here, in partition order, its sources led by the
     * node it replaces ({@link #sourcesFor}). A node that holds a
     * partition here but not in {@code next} may drop it once the transfers of that partition are
     * done.
     */
    public List<Transfer> transfersTo(PartitionTable next) {
        if (next.partitions != partitions) {
            throw new IllegalArgumentException(
                    "partition counts differ: " + partitions + " and " + next.partitions + " (Q is fixed)");
        }
        List<Transfer> transfers = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            List<NodeId> now = preferenceLists.get(p);
            List<NodeId> after = next.preferenceLists.get(p);
            List<NodeId> departing = new ArrayList<>();
            for (NodeId node : now) {
                if (!after.contains(node)) {
                    departing.add(node);
                }
            }
            int gained = 0;
            for (NodeId node : after) {
                if (!now.contains(node)) {
                    transfers.add(new Transfer(p, sourcesFor(now, departing, gained++), node));
                }
            }
        }
        return transfers;
    }

    /**
     * The sources of the {@code index}-th node that gains a partition: the node it replaces first,
     * then the others. Under quorum writes the replaced node holds every acknowledged write that
     * the remaining replicas might lack, so streaming from it alone completes the new replica;
     * when several nodes are replaced at once, each newcomer takes a different one of them.
     */
    private static List<NodeId> sourcesFor(List<NodeId> now, List<NodeId> departing, int index) {
        if (departing.isEmpty()) {
            return now;
        }
        NodeId replaced = departing.get(index % departing.size());
        List<NodeId> sources = new ArrayList<>(now.size());
        sources.add(replaced);
        for (NodeId node : now) {
            if (!node.equals(replaced)) {
                sources.add(node);
            }
        }
        return sources;
    }

    /**
     * Which of two tables a node keeps when gossip brings another one: the higher epoch, and between
     * two different tables of one epoch (two members changed the ring at once) the one whose encoding
     * is greater, so every node picks the same. The losing change is not merged: whoever made it
     * must apply it again to the winner, which is why one member (the claimant) should make changes.
     */
    public boolean supersedes(PartitionTable other) {
        if (epoch != other.epoch) {
            return epoch > other.epoch;
        }
        return Arrays.compareUnsigned(encode(), other.encode()) > 0;
    }

    @Override
    public List<NodeId> preferenceList(int partition) {
        if (partition < 0 || partition >= partitions) {
            throw new IllegalArgumentException("partition " + partition + " outside 0.." + (partitions - 1));
        }
        return preferenceLists.get(partition);
    }

    /** R = min(N, members): the length of every preference list. */
    @Override
    public int replicationFactor() {
        return Math.min(requestedReplicationFactor, members.size());
    }

    /** N as configured (--replication-factor); the table uses fewer while the cluster is smaller. */
    public int requestedReplicationFactor() {
        return requestedReplicationFactor;
    }

    public long epoch() {
        return epoch;
    }

    /** Q, fixed for the life of the cluster. */
    public int partitions() {
        return partitions;
    }

    /** The members, sorted by {@link NodeId}. */
    public List<NodeId> members() {
        return members;
    }

    public boolean holds(NodeId node, int partition) {
        return preferenceList(partition).contains(node);
    }

    /** The partitions {@code node} holds at any replica position, ascending. */
    public int[] partitionsOf(NodeId node) {
        return IntStream.range(0, partitions)
                .filter(p -> preferenceLists.get(p).contains(node))
                .toArray();
    }

    public byte[] encode() {
        return PartitionTableCodec.encode(this);
    }

    /** Decodes and checks what {@link #encode()} wrote; throws IllegalArgumentException otherwise. */
    public static PartitionTable decode(byte[] bytes) {
        return PartitionTableCodec.decode(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PartitionTable t
                && epoch == t.epoch
                && partitions == t.partitions
                && requestedReplicationFactor == t.requestedReplicationFactor
                && members.equals(t.members)
                && preferenceLists.equals(t.preferenceLists);
    }

    @Override
    public int hashCode() {
        return Objects.hash(epoch, partitions, requestedReplicationFactor, members, preferenceLists);
    }

    @Override
    public String toString() {
        return "PartitionTable{epoch=" + epoch + ", Q=" + partitions + ", N=" + requestedReplicationFactor
                + ", members=" + members + "}";
    }

    static void checkShape(int partitions, int replicationFactor) {
        if (partitions < 1 || partitions > Partitioner.MAX_PARTITIONS) {
            throw new IllegalArgumentException(
                    "partition count must be 1.." + Partitioner.MAX_PARTITIONS + ", got " + partitions);
        }
        if (replicationFactor < 1 || replicationFactor > MAX_REPLICATION_FACTOR) {
            throw new IllegalArgumentException(
                    "replication factor must be 1.." + MAX_REPLICATION_FACTOR + ", got " + replicationFactor);
        }
    }

    private static List<NodeId> sortedMembers(Set<NodeId> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a ring needs at least one member");
        }
        return List.copyOf(new TreeSet<>(members)); // NodeId order: independent of the set's own order
    }
}
