package io.dynakv.replication.handoff;

import io.dynakv.common.Clock;
import io.dynakv.common.Hlc;
import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.common.Versioned;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.replication.coordinator.ReplicaGateway;
import io.dynakv.replication.coordinator.ReplicaReply;
import io.dynakv.replication.replica.KeyRef;
import io.dynakv.replication.replica.Resolution;
import io.dynakv.storage.Hint;
import io.dynakv.storage.StorageEngine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Hands stored hints to their replicas once those are up again. Each tick sends one bounded batch
 * per target that is up and has nothing in flight; a hint is deleted only when its replica
 * acknowledged the write as durable, so a replica that fails again mid-replay just gets the rest
 * next time. Replaying is safe to repeat: a replica resolves a version it already holds as known.
 *
 * <p>Bounded and never stuck, however long the outage (issue 9 item 8):
 *
 * <ul>
 *   <li>Each target's batches walk its queue with a cursor, wrapping at the end, so a hint its
 *       replica keeps refusing is retried once per pass and never holds back the hints behind it.
 *   <li>The hints of one key in a batch collapse into one write of their resolution (the same
 *       merge a replica makes when it applies them one by one), deleted together when it is acked.
 *   <li>A hint older than {@link Limits#maxAgeMillis} is dropped, whether its target is up or down,
 *       and so are all hints for a node that left the ring (removed, or left): nobody will take them.
 * </ul>
 *
 * Every dropped hint is counted in {@code hintsDropped}; anti-entropy repairs what it carried.
 */
public final class HintReplayer {

    /**
     * What the hints of a node may hold.
     *
     * @param maxAgeMillis a hint whose write is older is dropped (Cassandra's {@code max_hint_window}
     *     plays this role): a long outage is healed by anti-entropy, not by an ever longer queue
     * @param maxPerTarget a target with this many hints gets no more (see {@link StoredHints})
     */
    public record Limits(long maxAgeMillis, long maxPerTarget) {

        /** Three hours, as Cassandra's hint window; 100,000 hints (tens of MiB with small values). */
        public static final Limits DEFAULT = new Limits(3 * 3600 * 1000L, 100_000);

        /**
         * The default limits, with hints never older than the tombstone grace: a tombstone is purged
         * only past the grace, so a hint of a value it deleted, replayed after the purge, would bring
         * the value back. Dropped instead, as anti-entropy already holds the delete everywhere.
         */
        public static Limits forTombstoneGrace(long graceMillis) {
            return new Limits(Math.min(DEFAULT.maxAgeMillis, graceMillis), DEFAULT.maxPerTarget);
        }

        public Limits {
            if (maxAgeMillis < 1 || maxPerTarget < 1) {
                throw new IllegalArgumentException(
                        "hint limits must be positive: " + maxAgeMillis + ", " + maxPerTarget);
            }
        }
    }

    /** What the replayer needs to know of the cluster; both are read on every tick. */
    public interface Targets {
        /** Whether membership believes {@code node} is up. */
        boolean isUp(NodeId node);

        /** Whether {@code node} left the ring for good (removed or left): its hints are never delivered. */
        boolean hasLeft(NodeId node);
    }

    private final StorageEngine storage;
    private final ReplicaGateway gateway;
    private final Scheduler scheduler;
    private final Clock clock;
    private final ReplicationStats stats;
    private final Targets targets;
    private final Limits limits;
    private final int batch;
    private final long tickNanos;
    private final long replyTimeoutNanos;
    private final Map<NodeId, Batch> inFlight = new HashMap<>();
    /** Per target, the id after which its next batch starts; absent: from its oldest hint. */
    private final Map<NodeId, Long> cursors = new HashMap<>();

    /** One batch sent to a target; forgotten when all answered or its timeout passed. */
    private static final class Batch {
        int unanswered;

        Batch(int unanswered) {
            this.unanswered = unanswered;
        }
    }

    /**
     * @param replyTimeoutNanos after this a batch's silent writes are given up (the hints stay)
     */
    public HintReplayer(
            StorageEngine storage,
            ReplicaGateway gateway,
            Scheduler scheduler,
            Clock clock,
            ReplicationStats stats,
            Targets targets,
            Limits limits,
            int batch,
            long tickNanos,
            long replyTimeoutNanos) {
        if (batch < 1 || tickNanos < 1 || replyTimeoutNanos < 1) {
            throw new IllegalArgumentException("batch, tickNanos and replyTimeoutNanos must be positive");
        }
        this.storage = storage;
        this.gateway = gateway;
        this.scheduler = scheduler;
        this.clock = clock;
        this.stats = stats;
        this.targets = targets;
        this.limits = limits;
        this.batch = batch;
        this.tickNanos = tickNanos;
        this.replyTimeoutNanos = replyTimeoutNanos;
    }

    /** Starts ticking on the calling loop. */
    public void start() {
        scheduler.schedule(tickNanos, this::tick);
    }

    private void tick() {
        try {
            replay();
        } finally {
            scheduler.schedule(tickNanos, this::tick);
        }
    }

    /**
     * One round over every target that has hints: drops what may not be kept, and sends one batch
     * to every up target with nothing in flight. Returns how many writes were sent.
     */
    public int replay() {
        int sent = 0;
        for (NodeId target : storage.hintTargets()) {
            if (targets.hasLeft(target)) {
                dropAll(target);
            } else if (!inFlight.containsKey(target)) {
                sent += replayTo(target);
            }
        }
        return sent;
    }

    private int replayTo(NodeId target) {
        boolean up = targets.isUp(target);
        // A down target's queue is only aged, from its oldest hints; an up one's is walked.
        long after = up ? cursors.getOrDefault(target, 0L) : 0L;
        List<Hint> hints = storage.hints(target, after, batch);
        if (hints.size() < batch) {
            cursors.remove(target); // the end of the queue: the next pass starts at its front
        } else if (up) {
            cursors.put(target, hints.get(hints.size() - 1).id());
        }
        List<Hint> fresh = new ArrayList<>(hints.size());
        long now = clock.wallMillis();
        for (Hint hint : hints) {
            if (now - Hlc.millis(hint.value().hlc()) > limits.maxAgeMillis()) {
                drop(hint);
            } else {
                fresh.add(hint);
            }
        }
        return up ? send(target, fresh) : 0;
    }

    /** Sends one write per key: the resolution of the key's hints in the batch. */
    private int send(NodeId target, List<Hint> hints) {
        Map<KeyRef, List<Hint>> byKey = new LinkedHashMap<>();
        for (Hint hint : hints) {
            byKey.computeIfAbsent(new KeyRef(hint.partition(), hint.table(), hint.key()), k -> new ArrayList<>())
                    .add(hint);
        }
        if (byKey.isEmpty()) {
            return 0;
        }
        Batch sending = new Batch(byKey.size());
        inFlight.put(target, sending);
        // A replica can fall silent mid-batch; its gateway then never answers. Give up on the
        // batch after the timeout (the unanswered hints stay and go again).
        scheduler.schedule(replyTimeoutNanos, () -> inFlight.remove(target, sending));
        byKey.forEach((key, same) ->
                gateway.write(target, key, collapsed(same), reply -> delivered(target, sending, same, reply)));
        return byKey.size();
    }

    /** The version a replica ends with after applying {@code hints} in any order. */
    private static Versioned collapsed(List<Hint> hints) {
        Versioned result = hints.get(0).value();
        for (int i = 1; i < hints.size(); i++) {
            result = Resolution.of(Optional.of(result), hints.get(i).value()).result();
        }
        return result;
    }

    private void delivered(NodeId target, Batch batch, List<Hint> hints, ReplicaReply reply) {
        if (--batch.unanswered == 0) {
            inFlight.remove(target, batch);
        }
        if (reply instanceof ReplicaReply.WriteDone) {
            for (Hint hint : hints) {
                storage.removeHint(target, hint.id());
            }
            stats.hintsDelivered.add(hints.size());
        }
    }

    /** Drops one batch of a departed node's hints per tick, so a long queue does not stall the loop. */
    private void dropAll(NodeId target) {
        cursors.remove(target);
        storage.hints(target, 0, batch).forEach(this::drop);
    }

    private void drop(Hint hint) {
        storage.removeHint(hint.target(), hint.id());
        stats.hintsDropped.increment();
    }
}
