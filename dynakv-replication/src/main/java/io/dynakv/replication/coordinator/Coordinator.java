package io.dynakv.replication.coordinator;

import io.dynakv.cluster.ring.Ring;
import io.dynakv.common.HlcClock;
import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.common.Versioned;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.replication.quorum.QuorumTracker;
import io.dynakv.replication.replica.KeyRef;
import io.dynakv.replication.replica.Resolution;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Coordinates client reads and writes on one event loop (the loop that owns the key's partition).
 * A write goes to every replica in the key's preference list and succeeds at W durable acks; a read
 * asks R replicas (more if some fail or are slow), answers with the newest and repairs the stale
 * ones among them.
 * A write keeps listening after it is answered, until every replica has acknowledged or the
 * timeout passed, and leaves a hint for each replica that failed or stayed silent.
 * Never blocks: replies and timeouts come back as callbacks on the same loop.
 */
public final class Coordinator {

    /** A read asks the replicas it has not asked yet after this fraction of the timeout. */
    static final int SPECULATIVE_READ_DIVISOR = 50;

    private final NodeId self;
    private final DotLease dots;
    private final Supplier<Ring> ring;
    private final ReplicaGateway gateway;
    private final HlcClock hlc;
    private final Scheduler scheduler;
    private final long timeoutNanos;
    private final ReplicationStats stats;
    private final HintSink hints;

    /**
     * @param self this node: which replica is local
     * @param dots where new versions' dots come from: this data directory's actor and its counter,
     *     which never goes backwards, so no dot is ever issued twice whatever the local copy of a
     *     key lost (a refused write on a full disk, a power cut, a purged tombstone)
     */
    public Coordinator(
            NodeId self,
            DotLease dots,
            Supplier<Ring> ring,
            ReplicaGateway gateway,
            HlcClock hlc,
            Scheduler scheduler,
            long timeoutNanos,
            ReplicationStats stats,
            HintSink hints) {
        this.hints = hints;
        this.self = self;
        this.dots = dots;
        this.ring = ring;
        this.gateway = gateway;
        this.hlc = hlc;
        this.scheduler = scheduler;
        this.timeoutNanos = timeoutNanos;
        this.stats = stats;
    }

    /** How many replicas hold each key: the largest R or W a request may ask for. */
    public int replicationFactor() {
        return ring.get().replicationFactor();
    }

    /** Reads {@code key}; the value is the newest version, tombstones included, or empty. */
    public void read(KeyRef key, ConsistencyLevel r, Consumer<Outcome<Optional<Versioned>>> done) {
        List<NodeId> replicas = ring.get().preferenceList(key.partition());
        new ReadOperation(key, replicas, r.required(replicas.size()), done).start();
    }

    /**
     * Writes a new version of {@code key}; the value is the version minted for it and the
     * concurrent version it met, if any ({@link Written}). On a node that
     * does not hold the key the write is forwarded to a replica, which coordinates it: a plain PUT
     * overwrites what its coordinator holds, and a node that holds nothing would make every blind
     * write concurrent with the last (Dynamo section 4.5 has such a node forward, too). So is a
     * write whose local copy cannot be read, or for which this node has no dot to mint (its dot
     * lease ran out and the disk is full).
     */
    public void write(WriteRequest request, Consumer<Outcome<Written>> done) {
        coordinate(request, done, null);
    }

    /**
     * Coordinates a write another node forwarded here. Never forwards again: when this node
     * cannot coordinate it (the ring moved and it no longer holds the key, or it cannot read its
     * own copy: a partition still streaming in, a failing disk), it calls {@code notHere} with why,
     * having minted and sent nothing, so the forwarder may hand the write to another replica
     * instead. A write thus never bounces between nodes whose tables differ for a moment.
     */
    public void writeForwarded(
            WriteRequest request, Consumer<Outcome<Written>> done, Consumer<ReplicaReply.Failed> notHere) {
        coordinate(request, done, notHere);
    }

    /** @param notHere null for a client's write, which may be forwarded; see {@link #writeForwarded} */
    private void coordinate(
            WriteRequest request, Consumer<Outcome<Written>> done, Consumer<ReplicaReply.Failed> notHere) {
        boolean mayForward = notHere == null;
        List<NodeId> replicas = ring.get().preferenceList(request.key().partition());
        int required = request.w().required(replicas.size());
        if (!replicas.contains(self)) {
            if (mayForward) {
                forward(request, replicas, required, done);
            } else {
                notHere.accept(new ReplicaReply.Failed("the ring is changing: " + self + " no longer holds the key"));
            }
            return;
        }
        Optional<Outcome<Written>> hopeless = knownUnreachable(replicas, required);
        if (hopeless.isPresent()) {
            done.accept(hopeless.get());
            return;
        }
        gateway.readToMint(self, request.key(), reply -> {
            Optional<Versioned> version = reply instanceof ReplicaReply.ReadDone local
                    ? VersionMinter.mint(dots, hlc, request, local.value())
                    : Optional.empty();
            if (version.isPresent()) {
                new WriteOperation(request.key(), version.get(), replicas, required, done).start();
            } else if (mayForward && replicas.size() > 1) {
                // This replica cannot tell what it holds (a partition still streaming in, a
                // failing disk) or has no dot to mint: a replica that can mints the version instead.
                List<NodeId> others = new ArrayList<>(replicas);
                others.remove(self);
                forward(request, others, required, done);
            } else {
                ReplicaReply.Failed failed = reply instanceof ReplicaReply.Failed f
                        ? f
                        : new ReplicaReply.Failed(
                                "no version can be minted on " + self + ": " + dots.renewalFailureMessage(),
                                dots.renewalFailedOnFullDisk());
                if (mayForward) {
                    done.accept(new Outcome.Unavailable<>(
                            0, required, replicas.size(), failed.reason(), failed.storageFull()));
                } else {
                    notHere.accept(failed); // the forwarder tries the next replica
                }
            }
        });
    }

    /**
     * Fails a write at once, before anything is minted or sent, when membership already knows too
     * few of its replicas are up to reach W: waiting for replicas known to be down only turns the
     * same failure into a 504 after the whole timeout. Nothing was written, so the client may
     * retry the write as it was.
     */
    private Optional<Outcome<Written>> knownUnreachable(List<NodeId> replicas, int required) {
        int up = 0;
        for (NodeId replica : replicas) {
            if (gateway.likelyUp(replica)) {
                up++;
            }
        }
        if (up >= required) {
            return Optional.empty();
        }
        return Optional.of(new Outcome.Unavailable<>(
                0,
                required,
                replicas.size(),
                "only " + up + " of the key's " + replicas.size() + " replicas are up and " + required
                        + " must acknowledge; nothing was written"));
    }

    /** Waits for the replica's outcome, at most two timeouts: its own plus the hop. */
    private void forward(WriteRequest request, List<NodeId> replicas, int required, Consumer<Outcome<Written>> done) {
        boolean[] finished = {false};
        Scheduler.Cancellable timer = scheduler.schedule(2 * timeoutNanos, () -> {
            if (!finished[0]) {
                finished[0] = true;
                done.accept(new Outcome.TimedOut<>(0, required, replicas.size()));
            }
        });
        gateway.forwardWrite(replicas, request, reply -> {
            if (finished[0]) {
                return;
            }
            finished[0] = true;
            timer.cancel();
            if (reply instanceof ReplicaReply.Forwarded forwarded) {
                done.accept(forwarded.outcome());
            } else {
                String reason = reply instanceof ReplicaReply.Failed failed ? failed.reason() : reply.toString();
                done.accept(new Outcome.Unavailable<>(0, required, replicas.size(), reason));
            }
        });
    }

    /**
     * One write in flight: counts durable acks until W, or failures until W is out of reach. The
     * answer names the concurrent versions the counted replicas held (DESIGN section 2: conflicts
     * are detected, not silently resolved away); acks after the outcome only end hints.
     */
    private final class WriteOperation extends Operation<Written> {
        private final Versioned version;
        private final List<Optional<Versioned>> concurrent = new ArrayList<>(1);

        WriteOperation(
                KeyRef key, Versioned version, List<NodeId> replicas, int required, Consumer<Outcome<Written>> done) {
            super(key, replicas, required, done);
            this.version = version;
        }

        @Override
        void send(NodeId replica) {
            gateway.write(replica, key, version, reply -> onReply(replica, reply));
        }

        @Override
        void onSuccess(NodeId replica, ReplicaReply reply) {
            Optional<Versioned> met = ((ReplicaReply.WriteDone) reply).effect().concurrent();
            if (met.isPresent()) {
                concurrent.add(met);
            }
        }

        @Override
        Written result() {
            Written written = new Written(version, Resolution.newest(concurrent));
            if (written.concurrent().isPresent()) {
                (written.superseded() ? stats.writesSuperseded : stats.writesWonConflict).increment();
            }
            return written;
        }

        /** Hinted handoff (Dynamo paper, section 4.6): keep the write for the replica that missed it. */
        @Override
        void onMissed(NodeId replica) {
            if (!replica.equals(self)) {
                hints.hint(replica, key, version);
            }
        }
    }

    /**
     * One read in flight: asks R replicas (this node first, then those membership believes up),
     * answers with the newest once R answered, and repairs the stale ones among them. A replica
     * that fails is replaced at once by one not yet asked; if the R have not all answered after
     * {@link #SPECULATIVE_READ_DIVISOR}th of the timeout, the rest are asked too. Asking R rather
     * than all N saves a third of the cluster's read work at N=3; anti-entropy, not reads, is what
     * brings the replicas that were not asked up to date.
     */
    private final class ReadOperation extends Operation<Optional<Versioned>> {
        private final Map<NodeId, Optional<Versioned>> answers = new LinkedHashMap<>();
        private final List<NodeId> unasked;
        private final int required;

        ReadOperation(KeyRef key, List<NodeId> replicas, int required, Consumer<Outcome<Optional<Versioned>>> done) {
            super(key, replicas, required, done);
            this.required = required;
            this.unasked = new ArrayList<>(replicas.size());
            if (replicas.contains(self)) {
                unasked.add(self);
            }
            for (NodeId replica : replicas) {
                if (!replica.equals(self) && gateway.likelyUp(replica)) {
                    unasked.add(replica);
                }
            }
            for (NodeId replica : replicas) {
                if (!unasked.contains(replica)) {
                    unasked.add(replica);
                }
            }
        }

        @Override
        void sendInitial() {
            for (int i = 0; i < required && !unasked.isEmpty(); i++) {
                send(unasked.remove(0));
            }
        }

        /** One timer per read: it first fires at the speculative delay, asks the rest, then waits out the timeout. */
        @Override
        long firstTimerNanos() {
            return unasked.isEmpty() ? timeoutNanos : timeoutNanos / SPECULATIVE_READ_DIVISOR;
        }

        @Override
        void onFirstTimer() {
            while (!unasked.isEmpty()) {
                send(unasked.remove(0));
            }
        }

        /** A read has nothing left to do once answered: its timer goes, so timers do not pile up. */
        @Override
        boolean listensAfterOutcome() {
            return false;
        }

        @Override
        void onMissed(NodeId replica) {
            if (!unasked.isEmpty() && !isFinished()) {
                send(unasked.remove(0));
            }
        }

        @Override
        void send(NodeId replica) {
            gateway.read(replica, key, reply -> onReply(replica, reply));
        }

        @Override
        void onSuccess(NodeId replica, ReplicaReply reply) {
            answers.put(replica, ((ReplicaReply.ReadDone) reply).value());
        }

        @Override
        Optional<Versioned> result() {
            Optional<Versioned> newest = Resolution.newest(answers.values());
            newest.ifPresent(this::repair);
            return newest;
        }

        private void repair(Versioned newest) {
            for (NodeId stale : ReadRepair.staleReplicas(answers, newest)) {
                stats.readRepairs.increment();
                gateway.write(stale, key, newest, reply -> {});
            }
        }
    }

    /** The shared life of a request: send to all, count, time out, finish exactly once. */
    private abstract class Operation<T> {
        final KeyRef key;
        private final List<NodeId> replicas;
        private final QuorumTracker tracker;
        private final Consumer<Outcome<T>> done;
        /** Bit i set: replicas.get(i) answered. Preference lists are short (N is at most 16). */
        private int replied;

        /** A replica's full disk, when one failed that way: the client then hears 507, not 503. */
        private ReplicaReply.Failed storageFull;

        private Scheduler.Cancellable timeout;
        private boolean finished;

        Operation(KeyRef key, List<NodeId> replicas, int required, Consumer<Outcome<T>> done) {
            if (replicas.size() > Integer.SIZE - 1) {
                throw new IllegalStateException("a preference list of " + replicas.size() + " replicas");
            }
            this.key = key;
            this.replicas = replicas;
            this.tracker = new QuorumTracker(replicas, required);
            this.done = done;
        }

        abstract void send(NodeId replica);

        abstract void onSuccess(NodeId replica, ReplicaReply reply);

        abstract T result();

        /** A replica that failed, or had not answered at the timeout; the client may be long answered. */
        void onMissed(NodeId replica) {}

        /** The first requests: by default, every replica. */
        void sendInitial() {
            for (NodeId replica : replicas) {
                send(replica);
            }
        }

        /** When the first timer fires: the timeout, unless {@link #onFirstTimer} makes it earlier. */
        long firstTimerNanos() {
            return timeoutNanos;
        }

        /** An earlier first timer fired before the outcome; the timeout follows. */
        void onFirstTimer() {}

        /** Whether replies still matter after the client's outcome (a write's hints do). */
        boolean listensAfterOutcome() {
            return true;
        }

        final boolean isFinished() {
            return finished;
        }

        final void start() {
            sendInitial();
            if (!allReplied() && !finished) {
                // Only requests with replicas still to answer pay for a timer.
                long first = firstTimerNanos();
                timeout = scheduler.schedule(first, () -> {
                    if (first >= timeoutNanos) {
                        onTimeout();
                    } else if (!finished) {
                        onFirstTimer();
                        timeout = scheduler.schedule(timeoutNanos - first, this::onTimeout);
                    }
                });
            }
        }

        /** Counts every replica's first answer, also after the client got its outcome. */
        final void onReply(NodeId replica, ReplicaReply reply) {
            int index = replicas.indexOf(replica);
            if (index < 0 || (replied & (1 << index)) != 0) {
                return; // not asked, or a duplicate
            }
            replied |= 1 << index;
            if (reply instanceof ReplicaReply.Failed failed) {
                if (failed.storageFull()) {
                    storageFull = failed;
                }
                if (!finished && tracker.failed(replica) == QuorumTracker.Vote.LOST) {
                    ReplicaReply.Failed cause = storageFull != null ? storageFull : failed;
                    finish(new Outcome.Unavailable<>(
                            tracker.successes(),
                            tracker.required(),
                            tracker.replicaCount(),
                            cause.reason(),
                            cause.storageFull()));
                }
                onMissed(replica);
            } else if (!finished) {
                onSuccess(replica, reply);
                if (tracker.succeeded(replica) == QuorumTracker.Vote.WON) {
                    finish(new Outcome.Ok<>(result()));
                }
            }
            if (allReplied() && timeout != null) {
                timeout.cancel();
            }
        }

        private void onTimeout() {
            if (!finished) {
                finish(new Outcome.TimedOut<>(tracker.successes(), tracker.required(), tracker.replicaCount()));
            }
            for (int i = 0; i < replicas.size(); i++) {
                if ((replied & (1 << i)) == 0) {
                    onMissed(replicas.get(i));
                }
            }
        }

        private boolean allReplied() {
            return replied == (1 << replicas.size()) - 1;
        }

        private void finish(Outcome<T> outcome) {
            finished = true;
            if (!listensAfterOutcome() && timeout != null) {
                timeout.cancel();
            }
            done.accept(outcome);
        }
    }
}
