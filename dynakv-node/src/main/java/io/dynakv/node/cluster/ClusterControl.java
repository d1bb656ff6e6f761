package io.dynakv.node.cluster;

import io.dynakv.cluster.membership.Member;
import io.dynakv.cluster.membership.MemberStatus;
import io.dynakv.cluster.membership.MembershipTransport;
import io.dynakv.cluster.membership.SwimMembership;
import io.dynakv.cluster.ring.PartitionTable;
import io.dynakv.cluster.ring.RingManager;
import io.dynakv.cluster.ring.RingUpdate;
import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.common.message.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's membership (SWIM) and ring ({@link RingManager}), run on one event loop, the control
 * loop: every method but the {@link View} readers must be called there. Other threads read the
 * latest {@link View}, which is republished after every change.
 *
 * <p>Ring changes spread two ways: the claimant sends a new table to every active member at once,
 * and every {@code gossipNanos} each node sends its table to one random member, which answers
 * with its own when that one is newer. So a node that missed an update (it was paused, or joined
 * later) has the current table within a few gossip rounds.
 */
public final class ClusterControl {

    private static final Logger log = LoggerFactory.getLogger(ClusterControl.class);

    /** Every 6 gossip rounds without a join reply, try the next known member. */
    private static final int JOIN_RETRY_ROUNDS = 6;

    /** Bounds {@link #ringsSwapped}; past it the memory starts over (at worst a table sent twice). */
    private static final int MAX_RING_SWAP_PEERS = 4096;

    /** What other threads may read: the members and the table, as one consistent snapshot. */
    public record View(List<Member> members, Map<NodeId, Member> byId, PartitionTable table) {

        public boolean isUp(NodeId id) {
            Member m = byId.get(id);
            return m != null && m.status() == MemberStatus.ALIVE;
        }

        /**
         * Whether {@code id} left the cluster for good: it is not in the ring table, which keeps
         * every joined node, down ones too, and drops only those that left or were removed (and
         * such an id never rejoins). Before this node has a table, nobody has.
         */
        public boolean hasLeft(NodeId id) {
            return table != null && !table.members().contains(id);
        }

        public int activeCount() {
            return (int) members.stream().filter(Member::isActive).count();
        }
    }

    private final NodeId self;
    private final SwimMembership swim;
    private final RingManager rings;
    private final MembershipTransport transport;
    private final ClusterMeta meta;
    private final Scheduler scheduler;
    private final RandomGenerator random;
    private final long gossipNanos;
    private final List<Consumer<PartitionTable>> tableListeners = new CopyOnWriteArrayList<>();
    private Consumer<PartitionTable> tableStore;
    /** The (this node's, the peer's) ring epochs each peer was last sent this node's table for. */
    private final Map<NodeId, long[]> ringsSwapped = new HashMap<>();

    private volatile View view;
    private List<String> seeds = List.of();
    private int nextSeed;
    private long rounds;
    private long savedIncarnation = -1;
    private PartitionTable savedTable;
    private List<String> savedPeers;

    ClusterControl(
            SwimMembership swim,
            RingManager rings,
            MembershipTransport transport,
            ClusterMeta meta,
            Scheduler scheduler,
            RandomGenerator random,
            long gossipNanos) {
        this.self = swim.self();
        this.swim = swim;
        this.rings = rings;
        this.transport = transport;
        this.meta = meta;
        this.scheduler = scheduler;
        this.random = random;
        this.gossipNanos = gossipNanos;
        // What the metadata holds, not what the ring manager starts with: a founder's first table
        // must be saved too, or the founder restarts as a stranger to its own cluster.
        this.savedTable = meta.table().orElse(null);
        this.savedPeers = meta.peers();
        this.tableStore = meta::saveTable;
        this.view = snapshot();
    }

    /**
     * Replaces how a new table is made durable: {@code store} runs on the control loop before any
     * other thread can see the table (before the view is republished), so it can save and mark
     * whatever must agree with the table first ({@link Rebalancer#adopt}). Call before {@link #start}.
     */
    void storeTablesWith(Consumer<PartitionTable> store) {
        tableStore = store;
    }

    /** Called with every new table this node adopts or makes, once it is visible, on the control loop. */
    public void onTable(Consumer<PartitionTable> listener) {
        tableListeners.add(listener);
    }

    /**
     * Starts membership: alone (a new cluster, or a restarted node that knew nobody), or by joining
     * through {@code seeds}, gossiped addresses of members, tried in turn until one answers.
     */
    void start(List<String> joinThrough) {
        swim.addListener((before, after) -> changed());
        seeds = List.copyOf(joinThrough);
        if (seeds.isEmpty()) {
            swim.start();
        } else {
            swim.join(seeds.get(0));
            log.info("node={} joining through {}", self, NodeAddress.httpOf(seeds.get(0)));
        }
        changed();
        scheduler.schedule(gossipNanos, this::gossipRound);
    }

    /** A membership or ring message from a peer. */
    void onMessage(NodeId from, Message message) {
        if (message instanceof RingUpdate update) {
            PartitionTable mine = rings.table().orElse(null);
            // A table returned here was made on top of the one received, which was adopted first.
            rings.onTable(update.table()).ifPresent(next -> announce(update.table(), next));
            PartitionTable now = rings.table().orElse(null);
            if (mine != null && now == mine && mine.supersedes(update.table())) {
                transport.send(from, new RingUpdate(mine)); // the sender is behind: answer with ours
            }
            changed();
        } else {
            swim.onMessage(from, message);
        }
    }

    /**
     * A replica request from {@code from} carried ring epoch {@code theirs}, not this node's: sends
     * it this node's table, once per pair of epochs. If it is behind it adopts the table; if this
     * node is, it answers with its newer one ({@link #onMessage}), so neither waits for gossip.
     */
    void ringEpochSeen(NodeId from, long theirs) {
        PartitionTable mine = rings.table().orElse(null);
        if (mine == null || mine.epoch() == theirs) {
            return;
        }
        long[] pair = {mine.epoch(), theirs};
        long[] last = ringsSwapped.get(from);
        if (last != null && last[0] == pair[0] && last[1] == pair[1]) {
            return;
        }
        if (ringsSwapped.size() >= MAX_RING_SWAP_PEERS) {
            ringsSwapped.clear();
        }
        ringsSwapped.put(from, pair);
        transport.send(from, new RingUpdate(mine));
    }

    /** Operator: removes a (dead) member for good; its partitions move to the others. */
    boolean remove(NodeId id) {
        boolean removed = swim.remove(id);
        changed();
        return removed;
    }

    /**
     * Admits {@code fresh} in place of the dead member {@code departed} ({@code --replace}): it takes
     * exactly the departed node's slots in a new table, sent to every active member and to the
     * newcomer (whose address its join's handshake taught the transport), and only then is the
     * departed node removed, so no claimant ever rebalances its slots over the others. False when
     * this node holds no table that can make the change.
     */
    boolean replace(NodeId departed, Member fresh) {
        PartitionTable before = rings.table().orElse(null);
        Optional<PartitionTable> next = rings.replace(departed, fresh.id());
        if (next.isEmpty()) {
            return false;
        }
        log.info(
                "node={} made ring epoch {}: node {} takes the slots of dead node {}",
                self,
                next.get().epoch(),
                fresh.id(),
                departed);
        announce(before, next.get());
        transport.send(fresh.id(), new RingUpdate(next.get()));
        swim.remove(departed);
        changed();
        return true;
    }

    /** Graceful leave: tells every member, then stops taking part in membership. */
    void leave() {
        swim.leave();
        changed();
    }

    public View view() {
        return view;
    }

    public NodeId self() {
        return self;
    }

    public long incarnation() {
        return swim.incarnation();
    }

    /** The node-to-node address of {@code id}; on the control loop it sees members SWIM just added. */
    Optional<String> peerAddressOf(NodeId id, boolean onControlLoop) {
        Optional<String> address = onControlLoop
                ? swim.addressOf(id)
                : Optional.ofNullable(view.byId().get(id)).map(Member::address);
        return address.map(NodeAddress::peerOf);
    }

    private void gossipRound() {
        rounds++;
        if (!swim.joined() && rounds % JOIN_RETRY_ROUNDS == 0 && !seeds.isEmpty()) {
            nextSeed = (nextSeed + 1) % seeds.size();
            swim.join(seeds.get(nextSeed));
        }
        rings.table().ifPresent(table -> {
            List<Member> others = new ArrayList<>();
            for (Member m : swim.members()) {
                if (m.isActive() && !m.id().equals(self)) {
                    others.add(m);
                }
            }
            if (!others.isEmpty()) {
                transport.send(others.get(random.nextInt(others.size())).id(), new RingUpdate(table));
            }
        });
        changed();
        scheduler.schedule(gossipNanos, this::gossipRound);
    }

    /**
     * Sends a table this node just made to every active member. Nodes new in it get the table
     * before it first (the connection keeps order), so they can tell which replica each of their
     * partitions replaces and stream from it ({@link Rebalancer}).
     */
    private void announce(PartitionTable before, PartitionTable table) {
        log.info(
                "node={} made ring epoch {} with {} members",
                self,
                table.epoch(),
                table.members().size());
        for (Member m : swim.members()) {
            if (m.isActive() && !m.id().equals(self)) {
                if (before != null && !before.members().contains(m.id())) {
                    transport.send(m.id(), new RingUpdate(before));
                }
                transport.send(m.id(), new RingUpdate(table));
            }
        }
    }

    /** Lets the ring follow membership, then republishes the view and saves what changed. */
    private void changed() {
        PartitionTable before = rings.table().orElse(null);
        rings.onMembership(swim.members()).ifPresent(next -> announce(before, next));
        PartitionTable table = rings.table().orElse(null);
        boolean newTable = table != null && !table.equals(savedTable);
        if (newTable) {
            tableStore.accept(table); // durable, and its new partitions marked, before anyone sees it
            savedTable = table; // not before: a failed save is tried again at the next change
        }
        View next = snapshot();
        view = next;
        if (newTable) {
            log.info(
                    "node={} adopted ring epoch {}: {} members, holds {} partitions",
                    self,
                    table.epoch(),
                    table.members().size(),
                    table.partitionsOf(self).length);
            for (Consumer<PartitionTable> listener : tableListeners) {
                listener.accept(table);
            }
        }
        if (swim.incarnation() != savedIncarnation) {
            savedIncarnation = swim.incarnation();
            meta.saveIncarnation(savedIncarnation);
        }
        List<String> peers = new ArrayList<>();
        for (Member m : next.members()) {
            if (!m.id().equals(self) && m.status() != MemberStatus.LEFT) {
                peers.add(m.address());
            }
        }
        if (!peers.equals(savedPeers)) {
            savedPeers = peers;
            meta.savePeers(peers);
        }
    }

    private View snapshot() {
        List<Member> members = swim.members();
        Map<NodeId, Member> byId = new HashMap<>();
        members.forEach(m -> byId.put(m.id(), m));
        return new View(members, Map.copyOf(byId), rings.table().orElse(null));
    }
}
