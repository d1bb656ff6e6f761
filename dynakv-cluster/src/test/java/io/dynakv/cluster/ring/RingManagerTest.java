package io.dynakv.cluster.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.cluster.membership.Member;
import io.dynakv.cluster.membership.MemberStatus;
import io.dynakv.common.NodeId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Several {@link RingManager}s wired together without a network: every membership change reaches
 * every manager as the same full view, and every table a manager returns is delivered to all of
 * them, in FIFO order, until nobody has anything left to send. Deterministic: no time, no threads.
 */
class RingManagerTest {

    private static final int Q = Partitioner.DEFAULT_PARTITIONS;
    private static final int N = 3;
    private static final List<NodeId> IDS = RingChecks.nodeIds(0xC1A1L, 8);

    /** A table returned by a manager, with who returned it. */
    private record Broadcast(NodeId from, PartitionTable table) {}

    /** The cluster: the managers and the membership view they all share. */
    private static final class Cluster {
        final Map<NodeId, RingManager> managers = new TreeMap<>();
        final Map<NodeId, MemberStatus> status = new TreeMap<>();
        final List<Broadcast> broadcasts = new ArrayList<>();

        Cluster(NodeId founder) {
            managers.put(founder, RingManager.founder(founder, Q, N));
            setStatus(founder, MemberStatus.ALIVE);
        }

        void join(NodeId id) {
            managers.put(id, RingManager.joiner(id));
            setStatus(id, MemberStatus.ALIVE);
        }

        /** Changes a status, tells every manager, then delivers broadcasts until quiet. */
        void setStatus(NodeId id, MemberStatus newStatus) {
            status.put(id, newStatus);
            List<Member> view = new ArrayList<>();
            status.forEach((node, s) -> view.add(new Member(node, "h:" + node, s, 0)));
            Deque<Broadcast> queue = new ArrayDeque<>();
            managers.values().forEach(m -> m.onMembership(view).ifPresent(t -> queue.add(new Broadcast(m.self(), t))));
            deliver(queue);
        }

        /** A table one manager made outside a membership change (a replacement), delivered to all. */
        void broadcast(NodeId from, PartitionTable table) {
            deliver(new ArrayDeque<>(List.of(new Broadcast(from, table))));
        }

        private void deliver(Deque<Broadcast> queue) {
            while (!queue.isEmpty()) {
                Broadcast b = queue.poll();
                broadcasts.add(b);
                for (RingManager m : managers.values()) {
                    m.onTable(b.table()).ifPresent(t -> queue.add(new Broadcast(m.self(), t)));
                }
            }
        }

        /** Every manager of a node that has not LEFT holds the same table; returns it. */
        PartitionTable agreedTable() {
            PartitionTable first = null;
            for (RingManager m : managers.values()) {
                if (status.get(m.self()) == MemberStatus.LEFT) {
                    continue;
                }
                PartitionTable t = m.table().orElseThrow();
                if (first == null) {
                    first = t;
                }
                assertThat(t.epoch()).as("epoch on %s", m.self()).isEqualTo(first.epoch());
                assertThat(t.encode()).as("encoding on %s", m.self()).isEqualTo(first.encode());
            }
            return first;
        }

        List<Broadcast> takeBroadcasts() {
            List<Broadcast> taken = List.copyOf(broadcasts);
            broadcasts.clear();
            return taken;
        }
    }

    private static Cluster sixNodes() {
        Cluster cluster = new Cluster(IDS.get(0));
        for (NodeId id : IDS.subList(1, 6)) {
            cluster.join(id);
        }
        cluster.takeBroadcasts();
        return cluster;
    }

    @Test
    void fiveJoinsOneByOneConvergeOnOneBalancedTable() {
        Cluster cluster = new Cluster(IDS.get(0));
        assertThat(cluster.agreedTable().epoch()).isEqualTo(1);
        for (int n = 2; n <= 6; n++) {
            NodeId joiner = IDS.get(n - 1);
            PartitionTable before = cluster.agreedTable();
            NodeId claimant = before.members().get(0); // every member is ALIVE here

            cluster.join(joiner);

            List<Broadcast> sent = cluster.takeBroadcasts();
            assertThat(sent).as("join %d: one rebalance, by the claimant", n).hasSize(1);
            assertThat(sent.get(0).from()).isEqualTo(claimant);
            PartitionTable after = cluster.agreedTable();
            assertThat(after.epoch()).isEqualTo(before.epoch() + 1);
            assertThat(after.members()).containsExactlyElementsOf(RingChecks.firstN(IDS, n));
            RingChecks.assertBalanced(after, "after join " + n);
            assertThat(RingChecks.moved(before, after))
                    .isEqualTo(RingChecks.minimumMoves(before, Set.copyOf(after.members())));
        }
        assertThat(cluster.agreedTable().epoch()).isEqualTo(6);
    }

    @Test
    void aJoinerWithTheLowestIdBecomesTheClaimantOnceInTheTable() {
        List<NodeId> sorted = new ArrayList<>(new TreeSet<>(IDS.subList(0, 3)));
        Cluster cluster = new Cluster(sorted.get(1));
        cluster.join(sorted.get(2));
        cluster.join(sorted.get(0)); // the lowest id joins last

        assertThat(cluster.takeBroadcasts()).extracting(Broadcast::from).containsExactly(sorted.get(1), sorted.get(1));
        assertThat(cluster.managers.get(sorted.get(0)).claimant()).contains(sorted.get(0));
        assertThat(cluster.agreedTable().members()).containsExactlyElementsOf(sorted);
    }

    @Test
    void aDeadNodeChangesNothing() {
        Cluster cluster = sixNodes();
        PartitionTable before = cluster.agreedTable();

        cluster.setStatus(IDS.get(3), MemberStatus.SUSPECT);
        cluster.setStatus(IDS.get(3), MemberStatus.DEAD);

        assertThat(cluster.takeBroadcasts()).isEmpty();
        assertThat(cluster.agreedTable()).isEqualTo(before);
        assertThat(cluster.agreedTable().members()).contains(IDS.get(3));
    }

    @Test
    void aLeaveOrRemovalTriggersExactlyOneRebalanceByTheClaimant() {
        Cluster cluster = sixNodes();
        PartitionTable before = cluster.agreedTable();
        NodeId claimant = before.members().get(0);
        NodeId leaver = before.members().get(3);
        NodeId removed = before.members().get(4);

        cluster.setStatus(leaver, MemberStatus.LEFT); // graceful leave
        List<Broadcast> sent = cluster.takeBroadcasts();
        assertThat(sent).extracting(Broadcast::from).containsExactly(claimant);
        PartitionTable afterLeave = cluster.agreedTable();
        assertThat(afterLeave.epoch()).isEqualTo(before.epoch() + 1);
        assertThat(afterLeave.members()).doesNotContain(leaver).hasSize(5);
        RingChecks.assertBalanced(afterLeave, "after leave");

        cluster.setStatus(removed, MemberStatus.DEAD); // down: kept
        assertThat(cluster.takeBroadcasts()).isEmpty();
        cluster.setStatus(removed, MemberStatus.LEFT); // the operator removes it
        sent = cluster.takeBroadcasts();
        assertThat(sent).extracting(Broadcast::from).containsExactly(claimant);
        PartitionTable afterRemoval = cluster.agreedTable();
        assertThat(afterRemoval.epoch()).isEqualTo(afterLeave.epoch() + 1);
        assertThat(afterRemoval.members()).doesNotContain(removed).hasSize(4);
        RingChecks.assertBalanced(afterRemoval, "after removal");
    }

    @Test
    void theClaimantLeavingHandsTheRoleToTheNextLowestId() {
        Cluster cluster = sixNodes();
        List<NodeId> members = cluster.agreedTable().members();
        long epoch = cluster.agreedTable().epoch();

        cluster.setStatus(members.get(0), MemberStatus.LEFT);

        assertThat(cluster.takeBroadcasts()).extracting(Broadcast::from).containsExactly(members.get(1));
        PartitionTable after = cluster.agreedTable();
        assertThat(after.epoch()).isEqualTo(epoch + 1);
        assertThat(after.members()).containsExactlyElementsOf(members.subList(1, 6));
        RingChecks.assertBalanced(after, "after the claimant left");
        cluster.managers.values().stream()
                .filter(m -> !m.self().equals(members.get(0)))
                .forEach(m -> assertThat(m.claimant()).contains(members.get(1)));

        // The new claimant now handles later changes too.
        cluster.join(IDS.get(6));
        assertThat(cluster.takeBroadcasts()).extracting(Broadcast::from).containsExactly(members.get(1));
    }

    @Test
    void aDeadClaimantHandsTheRoleOnWhileKeepingItsPartitions() {
        Cluster cluster = sixNodes();
        List<NodeId> members = cluster.agreedTable().members();

        cluster.setStatus(members.get(0), MemberStatus.DEAD);
        cluster.join(IDS.get(6));

        assertThat(cluster.takeBroadcasts()).extracting(Broadcast::from).containsExactly(members.get(1));
        assertThat(cluster.agreedTable().members())
                .contains(members.get(0), IDS.get(6))
                .hasSize(7);
    }

    @Test
    void twoTablesOfOneEpochConvergeInEitherDeliveryOrder() {
        // Two nodes that both believed they were the claimant made different tables from epoch 1.
        PartitionTable base = PartitionTable.initial(RingChecks.firstN(IDS, 3), Q, N);
        PartitionTable a = base.rebalance(RingChecks.firstN(IDS, 4));
        PartitionTable b = base.rebalance(Set.of(IDS.get(0), IDS.get(1)));
        PartitionTable winner = a.supersedes(b) ? a : b;
        assertThat(a.epoch()).isEqualTo(b.epoch());

        RingManager first = RingManager.restarted(IDS.get(5), base);
        RingManager second = RingManager.restarted(IDS.get(6), base);
        first.onTable(a);
        first.onTable(b);
        second.onTable(b);
        second.onTable(a);

        assertThat(first.table()).contains(winner);
        assertThat(second.table()).contains(winner);
    }

    @Test
    void aLaterEpochWinsWhenDeliveredFirst() {
        PartitionTable e1 = PartitionTable.initial(RingChecks.firstN(IDS, 3), Q, N);
        PartitionTable e2 = e1.rebalance(RingChecks.firstN(IDS, 4));
        PartitionTable e3 = e2.rebalance(RingChecks.firstN(IDS, 5));
        RingManager joiner = RingManager.joiner(IDS.get(7));

        joiner.onTable(e3);
        joiner.onTable(e2);
        joiner.onTable(e1);

        assertThat(joiner.table()).contains(e3);
    }

    @Test
    void aStaleOrDuplicateTableIsIgnored() {
        Cluster cluster = sixNodes();
        PartitionTable current = cluster.agreedTable();
        PartitionTable stale = PartitionTable.initial(RingChecks.firstN(IDS, 2), Q, N);

        for (RingManager m : cluster.managers.values()) {
            assertThat(m.onTable(stale)).isEmpty();
            assertThat(m.onTable(current)).isEmpty();
            assertThat(m.table()).contains(current);
        }
    }

    @Test
    void aTableWithAnotherPartitionCountIsIgnored() {
        RingManager manager = RingManager.founder(IDS.get(0), Q, N);
        PartitionTable other =
                PartitionTable.initial(RingChecks.firstN(IDS, 2), Q / 2, N).rebalance(RingChecks.firstN(IDS, 3));

        assertThat(manager.onTable(other)).isEmpty();
        assertThat(manager.table().orElseThrow().partitions()).isEqualTo(Q);
    }

    @Test
    void theClaimantReappliesItsChangeOnATableThatSupersedesIt() {
        // The claimant adds ids[3] (epoch 2) while a table from elsewhere, made without that change,
        // reaches it at epoch 3: it adopts that table and applies its change again on top (epoch 4).
        List<NodeId> ids = new ArrayList<>(RingChecks.firstN(IDS, 6));
        PartitionTable base = PartitionTable.initial(new TreeSet<>(ids.subList(0, 3)), Q, N);
        RingManager claimant = RingManager.restarted(ids.get(0), base);
        List<Member> view = new ArrayList<>();
        for (NodeId id : ids.subList(0, 4)) {
            view.add(new Member(id, "h", MemberStatus.ALIVE, 0));
        }
        Optional<PartitionTable> own = claimant.onMembership(view);
        assertThat(own).hasValueSatisfying(t -> assertThat(t.members()).containsExactlyElementsOf(ids.subList(0, 4)));
        PartitionTable rival = base.rebalance(Set.of(ids.get(0), ids.get(1), ids.get(2), ids.get(4)))
                .rebalance(Set.of(ids.get(0), ids.get(1), ids.get(2), ids.get(4), ids.get(5)));
        assertThat(rival.epoch()).isEqualTo(3);

        Optional<PartitionTable> again = claimant.onTable(rival);

        PartitionTable held = claimant.table().orElseThrow();
        assertThat(again).contains(held);
        assertThat(held.epoch()).isEqualTo(4);
        assertThat(held.members()).containsExactlyElementsOf(ids); // the rival's members kept, ids[3] re-added
        assertThat(RingChecks.moved(rival, held)).isEqualTo(RingChecks.minimumMoves(rival, Set.copyOf(ids)));
    }

    /**
     * A replacement is made by whichever member admits the new node, and the ring then stays put:
     * the new node holds exactly the dead node's slots, and neither the dead node's removal nor the
     * new node's arrival makes the claimant move anything else.
     */
    @Test
    void aReplacementTakesTheDeadNodesSlotsAndNothingElseMoves() {
        Cluster cluster = sixNodes();
        PartitionTable before = cluster.agreedTable();
        NodeId dead = before.members().get(3);
        NodeId admitting = before.members().get(4); // not the claimant
        NodeId fresh = IDS.get(7);
        cluster.setStatus(dead, MemberStatus.DEAD);

        PartitionTable replaced =
                cluster.managers.get(admitting).replace(dead, fresh).orElseThrow();
        cluster.broadcast(admitting, replaced);
        cluster.setStatus(dead, MemberStatus.LEFT);
        cluster.managers.put(fresh, RingManager.joiner(fresh));
        cluster.broadcast(admitting, replaced);
        cluster.setStatus(fresh, MemberStatus.ALIVE);

        assertThat(cluster.takeBroadcasts()).extracting(Broadcast::table).containsOnly(replaced);
        PartitionTable after = cluster.agreedTable();
        assertThat(after).isEqualTo(replaced);
        assertThat(after.epoch()).isEqualTo(before.epoch() + 1);
        assertThat(after.members()).contains(fresh).doesNotContain(dead);
        for (int p = 0; p < before.partitions(); p++) {
            List<NodeId> expected = before.preferenceList(p).stream()
                    .map(id -> id.equals(dead) ? fresh : id)
                    .toList();
            assertThat(after.preferenceList(p)).as("partition %d", p).isEqualTo(expected);
        }
        assertThat(before.transfersTo(after)).allSatisfy(t -> {
            assertThat(t.target()).isEqualTo(fresh);
            assertThat(t.sources().get(0))
                    .as("the node it replaces comes first")
                    .isEqualTo(dead);
        });
    }

    @Test
    void aReplacementNeedsTheDeadNodeInTheTableAndANewNode() {
        Cluster cluster = sixNodes();
        PartitionTable before = cluster.agreedTable();
        RingManager member = cluster.managers.get(before.members().get(1));
        assertThat(member.replace(IDS.get(7), IDS.get(6)))
                .as("replacing a non-member")
                .isEmpty();
        assertThat(member.replace(before.members().get(3), before.members().get(2)))
                .as("a member taking another's place")
                .isEmpty();
        assertThat(RingManager.joiner(IDS.get(7)).replace(before.members().get(3), IDS.get(7)))
                .as("a node without a table")
                .isEmpty();
        assertThat(member.table()).contains(before);
    }
}
