package io.dynakv.replication.coordinator;

import io.dynakv.cluster.ring.StaticRing;
import io.dynakv.common.Clock;
import io.dynakv.common.HlcClock;
import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.common.Versioned;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.replication.handoff.HintReplayer;
import io.dynakv.replication.handoff.StoredHints;
import io.dynakv.replication.replica.KeyRef;
import io.dynakv.replication.replica.Replica;
import io.dynakv.storage.InMemoryStorageEngine;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Several replicas and coordinators in one thread, for testing quorum logic before the real
 * transport exists. Fault model: a replica can be down (never answers: only the coordinator's
 * timeout ends the wait; also known down to membership when in {@link #knownDown}), failing
 * (answers with a failure), on a full disk (refuses writes, as storage full, and serves reads), or
 * slow (its replies are held until {@link #deliverHeld()}). A forwarded write is coordinated by the
 * first replica named that is neither down nor failing. Replies otherwise arrive in send order on
 * the next {@link #run()}.
 * Time is virtual: timers fire only when {@link #advanceMillis} passes them.
 */
final class TestCluster {

    final List<NodeId> nodes = new ArrayList<>();
    final Map<NodeId, InMemoryStorageEngine> storage = new HashMap<>();
    final Map<NodeId, Replica> replicas = new HashMap<>();
    final Map<NodeId, Coordinator> coordinators = new HashMap<>();
    final ReplicationStats stats = new ReplicationStats();
    final Set<NodeId> down = new HashSet<>();
    final Set<NodeId> failing = new HashSet<>();
    final Set<NodeId> fullDisk = new HashSet<>();
    final Set<NodeId> slow = new HashSet<>();
    /** Replicas membership reports down ({@link ReplicaGateway#likelyUp} is false for them). */
    final Set<NodeId> knownDown = new HashSet<>();

    private final Queue<Runnable> inbox = new ArrayDeque<>();
    final ReplicaGateway gateway = new Gateway();
    private final VirtualTime time = new VirtualTime();
    final Scheduler scheduler = time;
    final Clock clock = time;
    private final List<Runnable> held = new ArrayList<>();
    /** Every replica a read was sent to, in order. */
    final List<NodeId> readsAsked = new ArrayList<>();

    static final long TIMEOUT_NANOS = 1_000_000_000L;

    TestCluster(int nodeCount, int replicationFactor) {
        for (int i = 1; i <= nodeCount; i++) {
            nodes.add(new NodeId(i));
        }
        StaticRing ring = new StaticRing(nodes, replicationFactor);
        for (NodeId node : nodes) {
            InMemoryStorageEngine engine = new InMemoryStorageEngine();
            storage.put(node, engine);
            replicas.put(node, new Replica(engine, new HlcClock(time), stats));
        }
        for (NodeId node : nodes) {
            coordinators.put(
                    node,
                    new Coordinator(
                            node,
                            TestDots.lease(node),
                            () -> ring,
                            gateway,
                            new HlcClock(time),
                            scheduler,
                            TIMEOUT_NANOS,
                            stats,
                            new StoredHints(storage.get(node), stats, HintReplayer.Limits.DEFAULT)));
        }
    }

    /** Delivers queued replies until none are left. */
    void run() {
        Runnable next;
        while ((next = inbox.poll()) != null) {
            next.run();
        }
    }

    void deliverHeld() {
        inbox.addAll(held);
        held.clear();
        run();
    }

    void advanceMillis(long millis) {
        time.advanceNanos(millis * 1_000_000L, this::run);
        run();
    }

    Optional<Versioned> stored(NodeId node, KeyRef key) {
        return storage.get(node).get(key.partition(), key.table(), key.key());
    }

    /** Routes a coordinator's call to the target replica, with the faults above. */
    private final class Gateway implements ReplicaGateway {
        @Override
        public void read(NodeId replica, KeyRef key, Consumer<ReplicaReply> reply) {
            readsAsked.add(replica);
            deliver(
                    replica,
                    reply,
                    () -> new ReplicaReply.ReadDone(replicas.get(replica).read(key)));
        }

        @Override
        public void write(NodeId replica, KeyRef key, Versioned version, Consumer<ReplicaReply> reply) {
            deliver(replica, reply, () -> {
                if (fullDisk.contains(replica)) {
                    return new ReplicaReply.Failed("the disk of " + replica + " is full", true);
                }
                return new ReplicaReply.WriteDone(
                        replicas.get(replica).applyWrite(key, version).effect());
            });
        }

        @Override
        public void forwardWrite(List<NodeId> targets, WriteRequest write, Consumer<ReplicaReply> reply) {
            for (NodeId target : targets) {
                if (!down.contains(target) && !failing.contains(target)) {
                    inbox.add(() -> coordinators
                            .get(target)
                            .writeForwarded(
                                    write,
                                    outcome -> reply.accept(new ReplicaReply.Forwarded(outcome)),
                                    reply::accept));
                    return;
                }
            }
            reply.accept(new ReplicaReply.Failed("no replica to forward to"));
        }

        @Override
        public boolean likelyUp(NodeId replica) {
            return !knownDown.contains(replica);
        }

        private void deliver(
                NodeId replica, Consumer<ReplicaReply> reply, java.util.function.Supplier<ReplicaReply> work) {
            if (down.contains(replica)) {
                return;
            }
            ReplicaReply answer = failing.contains(replica) ? new ReplicaReply.Failed("disk on fire") : work.get();
            Runnable send = () -> reply.accept(answer);
            if (slow.contains(replica)) {
                held.add(send);
            } else {
                inbox.add(send);
            }
        }
    }
}
