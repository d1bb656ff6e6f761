package io.dynakv.replication.handoff;

import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.replication.coordinator.ReplicaGateway;
import io.dynakv.replication.coordinator.ReplicaReply;
import io.dynakv.replication.replica.KeyRef;
import io.dynakv.storage.Hint;
import io.dynakv.storage.StorageEngine;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Hands stored hints to their replicas once those are up again. Each tick sends one bounded batch
 * per target that is up and has nothing in flight; a hint is deleted only when its replica
 * acknowledged the write as durable, so a replica that fails again mid-replay just gets the rest
 * next time. Replaying is safe to repeat: a replica resolves a version it already holds as known.
 */
public final class HintReplayer {

    private final StorageEngine storage;
    private final ReplicaGateway gateway;
    private final Scheduler scheduler;
    private final ReplicationStats stats;
    private final Supplier<List<NodeId>> peers;
    private final Predicate<NodeId> isUp;
    private final int batch;
    private final long tickNanos;
    private final long replyTimeoutNanos;
    private final Map<NodeId, Batch> inFlight = new HashMap<>();

    /** One batch sent to a target; forgotten when all answered or its timeout passed. */
    private static final class Batch {
        int unanswered;

        Batch(int unanswered) {
            this.unanswered = unanswered;
        }
    }

    /**
     * @param peers every other node hints may be kept for (the membership, in a fixed order)
     * @param isUp whether a peer is currently reachable (membership says ALIVE)
     * @param replyTimeoutNanos after this a batch's silent writes are given up (the hints stay)
     */
    public HintReplayer(
            StorageEngine storage,
            ReplicaGateway gateway,
            Scheduler scheduler,
            ReplicationStats stats,
            Supplier<List<NodeId>> peers,
            Predicate<NodeId> isUp,
            int batch,
            long tickNanos,
            long replyTimeoutNanos) {
        if (batch < 1 || tickNanos < 1 || replyTimeoutNanos < 1) {
            throw new IllegalArgumentException("batch, tickNanos and replyTimeoutNanos must be positive");
        }
        this.storage = storage;
        this.gateway = gateway;
        this.scheduler = scheduler;
        this.stats = stats;
        this.peers = peers;
        this.isUp = isUp;
        this.batch = batch;
        this.tickNanos = tickNanos;
        this.replyTimeoutNanos = replyTimeoutNanos;
    }

    /** Starts ticking on the calling loop. */
    public void start() {
        scheduler.schedule(tickNanos, this::tick);
    }

    private void tick() {
        replay();
        scheduler.schedule(tickNanos, this::tick);
    }

    /** Sends one batch to every up peer with nothing in flight; returns how many hints were sent. */
    public int replay() {
        int sent = 0;
        for (NodeId target : peers.get()) {
            if (inFlight.containsKey(target) || !isUp.test(target)) {
                continue;
            }
            List<Hint> hints = storage.hints(target, 0, batch);
            if (hints.isEmpty()) {
                continue;
            }
            Batch sending = new Batch(hints.size());
            inFlight.put(target, sending);
            // A replica can fall silent mid-batch; its gateway then never answers. Give up on the
            // batch after the timeout (the unanswered hints stay and go again).
            scheduler.schedule(replyTimeoutNanos, () -> inFlight.remove(target, sending));
            for (Hint hint : hints) {
                KeyRef key = new KeyRef(hint.partition(), hint.table(), hint.key());
                gateway.write(target, key, hint.value(), reply -> delivered(sending, hint, reply));
                sent++;
            }
        }
        return sent;
    }

    private void delivered(Batch batch, Hint hint, ReplicaReply reply) {
        if (--batch.unanswered == 0) {
            inFlight.remove(hint.target(), batch);
        }
        if (reply instanceof ReplicaReply.WriteDone) {
            storage.removeHint(hint.target(), hint.id());
            stats.hintsDelivered.increment();
        }
    }
}
