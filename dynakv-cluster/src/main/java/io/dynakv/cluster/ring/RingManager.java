package io.dynakv.cluster.ring;

import io.dynakv.cluster.membership.Member;
import io.dynakv.cluster.membership.MemberStatus;
import io.dynakv.common.NodeId;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * This node's copy of the ring and the rule for changing it (docs/design.md, "Ring: an explicit
 * partition table"). Pure and single-threaded: it takes the membership view and the tables that
 * peers send, and returns the table this node must broadcast, if any; sending is the caller's job.
 *
 * <p><b>Table members</b> are nodes that joined and have not LEFT. A DEAD node stays a member: it
 * keeps its partitions (hints cover it) until it leaves or an operator removes it, which SWIM
 * reports as LEFT (DESIGN section 3). A node that is not in the table joins it once it is ALIVE.
 *
 * <p><b>One claimant.</b> Only the claimant computes new tables: the member of the current table
 * with the lowest {@link NodeId} that is ALIVE in this node's view. When the member set the view
 * calls for differs from the table's, it {@link PartitionTable#rebalance rebalances} (the epoch goes
 * up by one) and returns the new table to broadcast. Everyone else only adopts what supersedes their
 * table ({@link PartitionTable#supersedes}), so tables never fork for long: if two nodes both
 * believed they were the claimant (a suspected claimant, views that differ for a moment), their two
 * tables of one epoch are ordered by encoding, every node keeps the same one, and whoever is
 * claimant after adopting it applies any change that was lost ({@link #onTable}).
 *
 * <p>A joiner is never the claimant, even with the lowest id: it holds no table until the claimant
 * sends it one, and a claimant without a table could not add anyone. It takes part once it is in
 * the table. If no table member is ALIVE in a node's view, nobody there changes the ring: changes
 * wait until a member comes back, which is safe (the table stays valid) and DEAD is not final.
 */
public final class RingManager {

    private final NodeId self;
    /** Null only on a joiner that has not received a table yet. */
    private PartitionTable table;
    /** The last membership view, by id: status of every member this node knows. */
    private Map<NodeId, MemberStatus> view = Map.of();

    private RingManager(NodeId self, PartitionTable table) {
        this.self = Objects.requireNonNull(self, "self");
        this.table = table;
    }

    /** The first node of a new cluster: a table with only itself, epoch 1. */
    public static RingManager founder(NodeId self, int partitions, int replicationFactor) {
        return new RingManager(self, PartitionTable.initial(self, partitions, replicationFactor));
    }

    /** A node joining an existing cluster: no table until a peer sends one. */
    public static RingManager joiner(NodeId self) {
        return new RingManager(self, null);
    }

    /** A node restarting with the table it had (read back from disk). */
    public static RingManager restarted(NodeId self, PartitionTable table) {
        return new RingManager(self, Objects.requireNonNull(table, "table"));
    }

    public NodeId self() {
        return self;
    }

    /** The table this node holds; empty on a joiner that has not received one yet. */
    public Optional<PartitionTable> table() {
        return Optional.ofNullable(table);
    }

    /** Who changes the ring in this node's view: the lowest-id ALIVE member of the current table. */
    public Optional<NodeId> claimant() {
        return table == null ? Optional.empty() : claimant(table, view);
    }

    /**
     * A new membership view: every member this node knows, itself included, in any status (as
     * {@code SwimMembership.members()} returns it). Returns the new table to broadcast when this
     * node is the claimant and the member set changed; otherwise empty.
     */
    public Optional<PartitionTable> onMembership(List<Member> members) {
        Map<NodeId, MemberStatus> next = new TreeMap<>();
        for (Member member : members) {
            if (next.put(member.id(), member.status()) != null) {
                throw new IllegalArgumentException("member " + member.id() + " appears twice in the view");
            }
        }
        view = next;
        return claim();
    }

    /**
     * A table from a peer: adopted if it supersedes the one held (any table, on a joiner), ignored
     * otherwise, so stale, duplicated and reordered copies change nothing. A table with another
     * partition count belongs to no cluster this node can be in (Q is fixed) and is ignored too.
     * Returns a table to broadcast when, after adopting, this node is the claimant and the view
     * calls for a change the adopted table lacks.
     */
    public Optional<PartitionTable> onTable(PartitionTable received) {
        Objects.requireNonNull(received, "received");
        if (table != null && (received.partitions() != table.partitions() || !received.supersedes(table))) {
            return Optional.empty();
        }
        table = received;
        return claim();
    }

    /**
     * A new node takes a departed (dead) member's place: the table where {@code fresh} holds exactly
     * the slots {@code departed} held ({@link PartitionTable#replace}), to broadcast. Any member
     * holding a table may make it, as the member that admits the replacement must do it before the
     * membership change reaches the claimant (which would otherwise rebalance the dead node's slots
     * over everyone). Empty when this node holds no table, {@code departed} is not in it or
     * {@code fresh} already is.
     */
    public Optional<PartitionTable> replace(NodeId departed, NodeId fresh) {
        if (table == null
                || !table.members().contains(departed)
                || table.members().contains(fresh)) {
            return Optional.empty();
        }
        table = table.replace(departed, fresh);
        return Optional.of(table);
    }

    private Optional<PartitionTable> claim() {
        if (table == null || !claimant(table, view).map(self::equals).orElse(false)) {
            return Optional.empty();
        }
        Set<NodeId> members = members(table, view);
        if (members.equals(new TreeSet<>(table.members()))) {
            return Optional.empty();
        }
        PartitionTable next = table.rebalance(members);
        if (!next.supersedes(table)) {
            throw new IllegalStateException(
                    "rebalance of " + table + " made " + next + ", which does not supersede it");
        }
        table = next;
        return Optional.of(next);
    }

    /** The lowest-id member of {@code table} that is ALIVE in {@code view}. */
    static Optional<NodeId> claimant(PartitionTable table, Map<NodeId, MemberStatus> view) {
        // table.members() is sorted by NodeId, so the first ALIVE one is the lowest.
        return table.members().stream()
                .filter(id -> view.get(id) == MemberStatus.ALIVE)
                .findFirst();
    }

    /**
     * The member set {@code view} calls for: the table's members that have not LEFT (DEAD and
     * SUSPECT ones, and any the view does not list, stay) plus every ALIVE node not yet in it.
     * Never empty when a claimant exists, since the claimant is ALIVE.
     */
    static Set<NodeId> members(PartitionTable table, Map<NodeId, MemberStatus> view) {
        Set<NodeId> members = new TreeSet<>();
        for (NodeId id : table.members()) {
            if (view.get(id) != MemberStatus.LEFT) {
                members.add(id);
            }
        }
        view.forEach((id, status) -> {
            if (status == MemberStatus.ALIVE) {
                members.add(id);
            }
        });
        return members;
    }
}
