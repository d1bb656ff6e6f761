package io.dynakv.replication.antientropy;

import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.common.message.Message;
import io.dynakv.common.message.Transport;
import io.dynakv.replication.antientropy.AntiEntropyMessage.BucketReply;
import io.dynakv.replication.antientropy.AntiEntropyMessage.HashesReply;
import io.dynakv.replication.antientropy.AntiEntropySession.Outcome;
import io.dynakv.replication.antientropy.AntiEntropySession.Settings;
import io.dynakv.replication.antientropy.AntiEntropySession.Status;
import io.dynakv.replication.coordinator.ReplicaGateway;
import io.dynakv.replication.replica.Replica;
import io.dynakv.storage.StorageEngine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Decides which partition one event loop compares with which replica, and when (Dynamo paper,
 * section 4.7: replicas of a key range exchange Merkle trees in the background). One per loop;
 * every {@code intervalNanos} it starts at most one {@link AntiEntropySession}.
 *
 * <p>Why one session at a time: a round holds a whole local tree and one bucket of records, and it
 * shares the loop with foreground reads and writes; one at a time bounds both, and the loop's
 * {@link ByteBudget}, shared by its successive rounds so a new round gets no fresh burst, caps the
 * bandwidth. A tick that finds a round still running starts nothing.
 *
 * <p>Why round-robin over partitions: every partition of the loop is compared once every
 * (partitions x interval), which bounds how long replicas can stay apart, and how long a tombstone
 * waits for the rounds that let it be purged. The partitions and their
 * preference lists are read afresh every round, since the ring changes; the walk resumes after the
 * last partition compared, so it stays fair when partitions come and go.
 *
 * <p>Why rotate peers: if each node always compared with its first co-replica, with N = 3 two of
 * the replicas might only ever meet through the third, and not at all while it is down. Each lap
 * over the partitions starts one further along the other replicas of each preference list and
 * takes the first that is up, so over N - 1 laps a node compares with every co-replica, and a
 * down replica is passed over rather than waited for (its session would only time out).
 *
 * <p>Why it tells the replica's {@link io.dynakv.replication.replica.TombstoneHorizons} about every
 * completed round: a completed round is the proof that the peer holds what this node held when the
 * round began, and only that proof lets a tombstone be purged (repair-based tombstone GC).
 *
 * <p>Why skip busy partitions: a partition still streaming in is incomplete by design; comparing it
 * would re-fetch, bucket by bucket, what the stream is about to deliver, and compete with it for
 * bandwidth. The stream finishes it; later rounds check it.
 *
 * <p>Session ids are {@code idBase} plus a count: the node puts the loop index in the top bits, so
 * ids are unique across its loops (the responder keys its trees by initiator and session id, and
 * replies are matched by it). Stop ends the ticks; a running round goes on to its end (completion
 * or its own timeout), still fed its replies, so every round is counted once.
 */
public final class AntiEntropyScheduler {

    /**
     * What this loop compares with whom; each function is called on the loop, at every round.
     *
     * @param partitions the partitions this loop owns that this node holds
     * @param preferenceList a partition's replicas, this node among them
     * @param isUp whether a replica is reachable (membership says alive)
     * @param busy whether a partition must not be compared now (it is still streaming in)
     */
    public record Placement(
            Supplier<int[]> partitions,
            IntFunction<List<NodeId>> preferenceList,
            Predicate<NodeId> isUp,
            IntPredicate busy) {}

    private final NodeId self;
    private final long idBase;
    private final StorageEngine storage;
    private final Replica replica;
    private final Transport transport;
    private final ReplicaGateway gateway;
    private final Scheduler scheduler;
    private final ByteBudget budget;
    private final Settings settings;
    private final long intervalNanos;
    private final Placement placement;

    // Written on the loop, read by /stats on another thread.
    private final LongAdder sessionsCompleted = new LongAdder();
    private final LongAdder sessionsFailed = new LongAdder();
    private final LongAdder keysPulled = new LongAdder();
    private final LongAdder keysPushed = new LongAdder();

    private Scheduler.Cancellable tick;
    private AntiEntropySession running;
    private NodeId runningPeer;
    private int runningPartition;
    private long runningRepairTime;
    private long sessionsStarted;
    private int lastPartition = -1;
    private long lap;

    /**
     * @param idBase the first session id is {@code idBase + 1}
     * @param budget this loop's bandwidth cap (not thread-safe: one per loop)
     * @param intervalNanos how often a round may start
     */
    public AntiEntropyScheduler(
            NodeId self,
            long idBase,
            StorageEngine storage,
            Replica replica,
            Transport transport,
            ReplicaGateway gateway,
            Scheduler scheduler,
            ByteBudget budget,
            Settings settings,
            long intervalNanos,
            Placement placement) {
        if (intervalNanos < 1) {
            throw new IllegalArgumentException("interval must be positive: " + intervalNanos);
        }
        this.self = self;
        this.idBase = idBase;
        this.storage = storage;
        this.replica = replica;
        this.transport = transport;
        this.gateway = gateway;
        this.scheduler = scheduler;
        this.budget = budget;
        this.settings = settings;
        this.intervalNanos = intervalNanos;
        this.placement = placement;
    }

    /** Starts ticking on the calling loop; the first round may start one interval from now. */
    public void start() {
        if (tick != null) {
            throw new IllegalStateException("anti-entropy scheduler already started");
        }
        tick = scheduler.schedule(intervalNanos, this::onTick);
    }

    /** Starts no more rounds; a running one goes on to its end. */
    public void stop() {
        if (tick != null) {
            tick.cancel();
            tick = null;
        }
    }

    /**
     * Hands a reply of the running round to it. Returns whether it did; anything else (requests,
     * which are the responder's, and replies of rounds already over) is left to the caller.
     */
    public boolean onMessage(NodeId from, Message message) {
        if (running == null || !(message instanceof HashesReply || message instanceof BucketReply)) {
            return false;
        }
        AntiEntropyMessage reply = (AntiEntropyMessage) message;
        if (reply.sessionId() != running.sessionId() || !from.equals(runningPeer)) {
            return false;
        }
        running.onMessage(from, reply);
        return true;
    }

    public long sessionsCompleted() {
        return sessionsCompleted.sum();
    }

    /** Rounds that timed out or had a push refused; their repairs so far stay. */
    public long sessionsFailed() {
        return sessionsFailed.sum();
    }

    /** Peer versions applied locally. */
    public long keysPulled() {
        return keysPulled.sum();
    }

    /** Local versions sent to peers. */
    public long keysPushed() {
        return keysPushed.sum();
    }

    private void onTick() {
        tick = scheduler.schedule(intervalNanos, this::onTick);
        if (running == null) {
            startNextRound();
        }
    }

    /** Starts a round on the next partition, after the last one compared, that has a peer up. */
    private void startNextRound() {
        int[] owned = placement.partitions().get().clone();
        Arrays.sort(owned);
        int first = 0;
        while (first < owned.length && owned[first] <= lastPartition) {
            first++;
        }
        for (int i = 0; i < owned.length; i++) {
            int partition = owned[(first + i) % owned.length];
            long lapOfPartition = first + i < owned.length ? lap : lap + 1;
            if (placement.busy().test(partition)) {
                continue;
            }
            Optional<NodeId> peer = peerFor(partition, lapOfPartition);
            if (peer.isPresent()) {
                lastPartition = partition;
                lap = lapOfPartition;
                begin(partition, peer.get());
                return;
            }
        }
    }

    /** From the lap's place among the other replicas, the first that is up. */
    private Optional<NodeId> peerFor(int partition, long lapOfPartition) {
        List<NodeId> replicas = placement.preferenceList().apply(partition);
        if (!replicas.contains(self)) {
            return Optional.empty(); // the ring moved it away since the partitions were read
        }
        List<NodeId> others = new ArrayList<>(replicas.size());
        for (NodeId node : replicas) {
            if (!node.equals(self)) {
                others.add(node);
            }
        }
        for (int i = 0; i < others.size(); i++) {
            NodeId candidate = others.get(Math.floorMod(lapOfPartition + i, others.size()));
            if (placement.isUp().test(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private void begin(int partition, NodeId peer) {
        long sessionId = idBase + ++sessionsStarted;
        long repairTime = replica.horizons().repairTime(); // before the session snapshots its tree
        AntiEntropySession session = new AntiEntropySession(
                sessionId,
                partition,
                peer,
                storage,
                replica,
                transport,
                gateway,
                scheduler,
                budget,
                settings,
                this::finished);
        running = session;
        runningPeer = peer;
        runningPartition = partition;
        runningRepairTime = repairTime;
        session.start();
    }

    private void finished(Outcome outcome) {
        NodeId peer = runningPeer;
        running = null;
        runningPeer = null;
        if (outcome.status() == Status.COMPLETED) {
            replica.horizons().repaired(runningPartition, peer, runningRepairTime);
            sessionsCompleted.increment();
        } else {
            sessionsFailed.increment();
        }
        keysPulled.add(outcome.pulled());
        keysPushed.add(outcome.pushed());
    }
}
