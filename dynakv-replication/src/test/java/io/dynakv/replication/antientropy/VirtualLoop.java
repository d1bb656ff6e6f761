package io.dynakv.replication.antientropy;

import io.dynakv.common.Clock;
import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.common.Versioned;
import io.dynakv.common.message.Message;
import io.dynakv.common.message.Transport;
import io.dynakv.replication.coordinator.ReplicaGateway;
import io.dynakv.replication.coordinator.ReplicaReply;
import io.dynakv.replication.replica.KeyRef;
import io.dynakv.replication.replica.Replica;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * One thread, virtual time: events ordered by (time, sequence number), as in the simulator (STYLE
 * section 2). Fault model: a message takes {@link #LATENCY_NANOS} and is lost when {@code drop}
 * says so; nothing is duplicated or reordered; storage never fails.
 */
final class VirtualLoop implements Clock, Scheduler {

    static final long LATENCY_NANOS = 1_000_000;

    private record Event(long atNanos, long seq, Runnable task, boolean[] cancelled) {}

    private final PriorityQueue<Event> queue = new PriorityQueue<>(
            (a, b) -> a.atNanos != b.atNanos ? Long.compare(a.atNanos, b.atNanos) : Long.compare(a.seq, b.seq));
    private final Map<NodeId, BiConsumer<NodeId, Message>> handlers = new HashMap<>();
    private long nowNanos;
    private long seq;
    private Predicate<Message> drop = m -> false;
    int delivered;
    int dropped;

    @Override
    public long nowNanos() {
        return nowNanos;
    }

    @Override
    public long wallMillis() {
        return 1_700_000_000_000L + nowNanos / 1_000_000;
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        boolean[] cancelled = {false};
        queue.add(new Event(nowNanos + delayNanos, seq++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    void dropWhen(Predicate<Message> drop) {
        this.drop = drop;
    }

    void register(NodeId node, BiConsumer<NodeId, Message> handler) {
        handlers.put(node, handler);
    }

    Transport transport(NodeId from) {
        return (to, message) -> {
            if (drop.test(message)) {
                dropped++;
                return;
            }
            schedule(LATENCY_NANOS, () -> {
                delivered++;
                handlers.get(to).accept(from, message);
            });
        };
    }

    /** Writes reach the target replica after one latency and are acknowledged after another. */
    ReplicaGateway gateway(Map<NodeId, Replica> replicas) {
        return new ReplicaGateway() {
            @Override
            public void read(NodeId replica, KeyRef key, java.util.function.Consumer<ReplicaReply> reply) {
                schedule(
                        LATENCY_NANOS,
                        () -> reply.accept(
                                new ReplicaReply.ReadDone(replicas.get(replica).read(key))));
            }

            @Override
            public void write(
                    NodeId replica, KeyRef key, Versioned version, java.util.function.Consumer<ReplicaReply> reply) {
                schedule(LATENCY_NANOS, () -> {
                    replicas.get(replica).apply(key, version);
                    schedule(LATENCY_NANOS, () -> reply.accept(new ReplicaReply.WriteDone()));
                });
            }
        };
    }

    /** Runs events until none is left; time ends at the last task that ran. */
    void run() {
        while (!queue.isEmpty()) {
            Event e = queue.poll();
            if (!e.cancelled[0]) { // a cancelled timer does not move time
                nowNanos = e.atNanos;
                e.task.run();
            }
        }
    }
}
