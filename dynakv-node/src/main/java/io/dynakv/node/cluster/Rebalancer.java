package io.dynakv.node.cluster;

import io.dynakv.cluster.ring.PartitionTable;
import io.dynakv.cluster.ring.Transfer;
import io.dynakv.common.NodeId;
import io.dynakv.node.Shard;
import io.dynakv.node.ShardRouter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves data when the ring moves (Dynamo section 4.9): for every partition the new table gives
 * this node, it streams the partition from the old owners, and until that is durable here the
 * partition is <em>incomplete</em>: this node takes writes for it (they go to the new preference
 * list) but refuses reads, so quorum reads are answered by replicas that hold everything.
 *
 * <p>Incomplete partitions and their sources are kept in the metadata, so a node that restarts
 * mid-stream resumes instead of serving a half-copied partition.
 *
 * <p>When this node does not know the table before the one that gave it a partition (it joined,
 * and the previous table never reached it), it cannot tell which replica it replaces, and no
 * single old replica is known to hold every acknowledged write; it then needs all of them. It says
 * so with {@link #UNKNOWN_PREDECESSOR} as the first source: never up, so the stream takes the
 * union of the others (PartitionStream's second rule).
 */
public final class Rebalancer {

    private static final Logger log = LoggerFactory.getLogger(Rebalancer.class);

    /** Never a node's id (ids are drawn non-zero), so membership never reports it up. */
    public static final NodeId UNKNOWN_PREDECESSOR = new NodeId(0L);

    private final NodeId self;
    private final ShardRouter shards;
    private final ClusterMeta meta;
    /** Incomplete partitions and the transfer filling each; guarded by this. */
    private final Map<Integer, Transfer> incomplete = new TreeMap<>();

    private volatile boolean[] incompleteFlags;
    private PartitionTable known;

    Rebalancer(NodeId self, ShardRouter shards, ClusterMeta meta, int partitions, PartitionTable known) {
        this.self = self;
        this.shards = shards;
        this.meta = meta;
        this.known = known;
        this.incompleteFlags = new boolean[partitions];
        for (Transfer t : meta.streaming(self)) {
            incomplete.put(t.partition(), t);
        }
        publish();
    }

    /** Whether {@code partition} is still streaming in (reads of it are refused here). Any thread. */
    public boolean isIncomplete(int partition) {
        boolean[] flags = incompleteFlags;
        return partition >= 0 && partition < flags.length && flags[partition];
    }

    /** Resumes the streams a previous run of this node left unfinished; call once shards run. */
    public synchronized void resume() {
        if (!incomplete.isEmpty()) {
            log.info("node={} starting or resuming {} partition streams", self, incomplete.size());
            dispatch(List.copyOf(incomplete.values()));
        }
    }

    /**
     * A new table: start streaming what it gives this node, and stop streaming what it took away
     * again before the stream finished (a later ring change moved it on; this node no longer
     * serves it, and a stream kept for it would hold the node incomplete forever). Called on the
     * control loop.
     */
    synchronized void onTable(PartitionTable next) {
        List<Transfer> incoming = incoming(self, known, next);
        known = next;
        List<Integer> dropped = new ArrayList<>();
        for (int p : List.copyOf(incomplete.keySet())) {
            if (!next.holds(self, p)) {
                incomplete.remove(p);
                dropped.add(p);
            }
        }
        List<Transfer> started = new ArrayList<>();
        for (Transfer t : incoming) {
            if (!incomplete.containsKey(t.partition())) {
                incomplete.put(t.partition(), t);
                started.add(t);
            }
        }
        if (started.isEmpty() && dropped.isEmpty()) {
            return;
        }
        save();
        publish();
        if (!dropped.isEmpty()) {
            log.info(
                    "node={} stops streaming {} partitions ring epoch {} moved elsewhere",
                    self,
                    dropped.size(),
                    next.epoch());
            cancel(dropped);
        }
        if (!started.isEmpty()) {
            log.info("node={} streaming {} partitions in (ring epoch {})", self, started.size(), next.epoch());
            dispatch(started);
        }
    }

    /** A stream finished and its data is durable: the partition is complete. Any loop. */
    public synchronized void completed(int partition) {
        if (incomplete.remove(partition) != null) {
            save();
            publish();
            if (incomplete.isEmpty()) {
                log.info("node={} holds all its partitions", self);
            }
        }
    }

    public synchronized int incompleteCount() {
        return incomplete.size();
    }

    /** What this node must stream when the ring goes from {@code before} (null: unknown) to {@code after}. */
    static List<Transfer> incoming(NodeId self, PartitionTable before, PartitionTable after) {
        List<Transfer> transfers = new ArrayList<>();
        if (before != null && before.partitions() == after.partitions()) {
            for (Transfer t : before.transfersTo(after)) {
                if (t.target().equals(self)) {
                    transfers.add(t);
                }
            }
            return transfers;
        }
        for (int p : after.partitionsOf(self)) {
            List<NodeId> sources = new ArrayList<>();
            sources.add(UNKNOWN_PREDECESSOR);
            for (NodeId id : after.preferenceList(p)) {
                if (!id.equals(self)) {
                    sources.add(id);
                }
            }
            if (sources.size() > 1) {
                transfers.add(new Transfer(p, sources, self));
            }
        }
        return transfers;
    }

    private void dispatch(List<Transfer> transfers) {
        Map<Integer, List<Transfer>> byShard = new TreeMap<>();
        for (Transfer t : transfers) {
            byShard.computeIfAbsent(t.partition() % shards.size(), k -> new ArrayList<>())
                    .add(t);
        }
        byShard.forEach((index, list) -> {
            Shard shard = shards.byIndex(index);
            if (shard != null) { // else the node is starting: resume() hands them over once shards run
                shard.execute(() -> shard.streams().start(list));
            }
        });
    }

    private void cancel(List<Integer> partitions) {
        for (int p : partitions) {
            Shard shard = shards.byIndex(p % shards.size());
            if (shard != null) { // else the node is starting, and resume() will not see it either
                shard.execute(() -> shard.streams().cancel(p));
            }
        }
    }

    private void save() {
        meta.saveStreaming(List.copyOf(incomplete.values()));
    }

    private void publish() {
        boolean[] flags = new boolean[incompleteFlags.length];
        for (int p : incomplete.keySet()) {
            if (p < flags.length) {
                flags[p] = true;
            }
        }
        incompleteFlags = flags;
    }
}
