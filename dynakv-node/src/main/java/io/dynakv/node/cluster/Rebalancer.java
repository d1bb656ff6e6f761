package io.dynakv.node.cluster;

import io.dynakv.cluster.ring.PartitionTable;
import io.dynakv.cluster.ring.Transfer;
import io.dynakv.common.NodeId;
import io.dynakv.common.message.Transport;
import io.dynakv.node.Shard;
import io.dynakv.node.ShardRouter;
import io.dynakv.replication.rebalance.HandoffDone;
import io.dynakv.storage.StorageEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executor;
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
 *
 * <p>A partition a table takes from this node leaves an <em>orphan</em> copy here. It is dropped
 * once the node that took its place says it holds the partition durably ({@link HandoffDone}), or
 * before the partition streams in again if a later table gives it back: a copy kept across that
 * gap lacks the deletes made meanwhile, and would bring deleted values back (docs/ring-changes.md).
 */
public final class Rebalancer {

    private static final Logger log = LoggerFactory.getLogger(Rebalancer.class);

    /** Never a node's id (ids are drawn non-zero), so membership never reports it up. */
    public static final NodeId UNKNOWN_PREDECESSOR = new NodeId(0L);

    private final NodeId self;
    private final ShardRouter shards;
    private final ClusterMeta meta;
    private final StorageEngine storage;
    private final Transport transport;
    private final Executor diskWork;
    /** Incomplete partitions and the transfer filling each; guarded by this. */
    private final Map<Integer, Transfer> incomplete = new TreeMap<>();
    /** Partitions the ring took from this node whose local copy is not dropped yet; guarded by this. */
    private final Set<Integer> orphans = new TreeSet<>();
    /** What the last {@link #adopt} started and stopped, handed to the shards by {@link #onTable}. */
    private List<Transfer> toStart = List.of();

    private List<Integer> toCancel = List.of();

    private volatile boolean[] incompleteFlags;
    private PartitionTable known;

    /**
     * @param storage where dropped partitions are deleted
     * @param transport tells a replaced node that this one holds the partition now
     * @param diskWork runs the deletion of a dropped partition, off every event loop
     */
    Rebalancer(
            NodeId self,
            ShardRouter shards,
            ClusterMeta meta,
            StorageEngine storage,
            Transport transport,
            Executor diskWork,
            int partitions,
            PartitionTable known) {
        this.self = self;
        this.shards = shards;
        this.meta = meta;
        this.storage = storage;
        this.transport = transport;
        this.diskWork = diskWork;
        this.known = known;
        this.incompleteFlags = new boolean[partitions];
        for (Transfer t : meta.streaming(self)) {
            incomplete.put(t.partition(), t);
        }
        orphans.addAll(meta.orphans());
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
     * A new table, before any other thread can see it (on the control loop): marks what it gives
     * this node as incomplete and saves the table with those marks in one durable write, so no
     * crash and no reader ever finds a newly held partition complete. It also forgets the streams
     * of partitions the table took away again before they finished (a stream kept for them would
     * hold the node incomplete forever), and remembers the copies of partitions it took away,
     * which are dropped once their new holder has them ({@link #onHandoffDone}). A copy still here
     * when the table gives its partition back is dropped now: the partition streams in afresh,
     * and the old copy lacks the deletes made meanwhile.
     */
    synchronized void adopt(PartitionTable next) {
        Map<Integer, Transfer> streaming = new TreeMap<>(incomplete);
        List<Integer> dropped = new ArrayList<>();
        for (int p : incomplete.keySet()) {
            if (!next.holds(self, p)) {
                streaming.remove(p);
                dropped.add(p);
            }
        }
        List<Transfer> started = new ArrayList<>();
        for (Transfer t : incoming(self, known, next)) {
            if (streaming.putIfAbsent(t.partition(), t) == null) {
                started.add(t);
            }
        }
        Set<Integer> lost = new TreeSet<>(orphans);
        for (int p : orphans) {
            if (next.holds(self, p)) {
                storage.dropPartition(p); // before the table is visible; idempotent if the save fails
                lost.remove(p);
            }
        }
        if (known != null && known.partitions() == next.partitions()) {
            for (int p : known.partitionsOf(self)) {
                if (!next.holds(self, p)) {
                    lost.add(p);
                }
            }
        }
        // Saved before anything changes here: if the save fails, the next attempt starts over.
        meta.saveRing(next, List.copyOf(streaming.values()), lost);
        known = next;
        incomplete.clear();
        incomplete.putAll(streaming);
        if (!lost.equals(orphans)) {
            orphans.clear();
            orphans.addAll(lost);
            log.info(
                    "node={} keeps copies of {} partitions it no longer holds until their new holders have them",
                    self,
                    orphans.size());
        }
        toStart = started;
        toCancel = dropped;
        publish();
    }

    /**
     * A table {@link #adopt} took, now visible to every thread: hands the streams it started to the
     * shards and stops those it ended. Called on the control loop.
     */
    synchronized void onTable(PartitionTable next) {
        if (!toCancel.isEmpty()) {
            log.info(
                    "node={} stops streaming {} partitions ring epoch {} moved elsewhere",
                    self,
                    toCancel.size(),
                    next.epoch());
            cancel(toCancel);
        }
        if (!toStart.isEmpty()) {
            log.info("node={} streaming {} partitions in (ring epoch {})", self, toStart.size(), next.epoch());
            dispatch(toStart);
        }
        toStart = List.of();
        toCancel = List.of();
    }

    /**
     * {@code from} holds {@code partition} durably in place of this node: the local copy goes, off
     * the event loop, unless a newer table gave the partition back meanwhile (then {@link #adopt}
     * dropped it already). Called on the control loop.
     */
    synchronized void onHandoffDone(NodeId from, int partition) {
        if (!orphans.contains(partition) || known == null || !known.holds(from, partition)) {
            return;
        }
        diskWork.execute(() -> dropOrphan(partition));
    }

    private synchronized void dropOrphan(int partition) {
        if (!orphans.contains(partition) || known.holds(self, partition)) {
            return;
        }
        try {
            storage.dropPartition(partition);
        } catch (RuntimeException e) {
            log.warn(
                    "node={} could not drop its copy of partition {}, kept until a restart: {}",
                    self,
                    partition,
                    e.toString());
            return;
        }
        orphans.remove(partition);
        save();
        log.info("node={} dropped its copy of partition {}: its new holder has it", self, partition);
    }

    /** A stream finished and its data is durable: the partition is complete. Any loop. */
    public synchronized void completed(int partition) {
        Transfer done = incomplete.remove(partition);
        if (done != null) {
            save();
            NodeId replaced = done.sources().get(0);
            if (!replaced.equals(UNKNOWN_PREDECESSOR) && !replaced.equals(self)) {
                transport.send(replaced, new HandoffDone(partition));
            }
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
        if (known != null) {
            meta.saveRing(known, List.copyOf(incomplete.values()), orphans);
        }
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
