package io.dynakv.node.cluster;

import io.dynakv.common.NodeId;
import io.dynakv.common.Versioned;
import io.dynakv.replication.coordinator.ReplicaGateway;
import io.dynakv.replication.coordinator.ReplicaReply;
import io.dynakv.replication.replica.KeyRef;
import java.util.function.Consumer;

/**
 * This node's replica as its own coordinators see it: a partition still streaming in answers reads
 * with a failure rather than with what little it holds, so a quorum read counts replicas that hold
 * everything; writes go through, the stream and the writes merge by version.
 */
public final class IncompleteReadsRefused implements ReplicaGateway {

    private final ReplicaGateway local;
    private final Rebalancer rebalancer;

    public IncompleteReadsRefused(ReplicaGateway local, Rebalancer rebalancer) {
        this.local = local;
        this.rebalancer = rebalancer;
    }

    /** The failure a replica answers for a read of a partition it is still streaming in. */
    public static String reason(int partition) {
        return "partition " + partition + " is still streaming to this node";
    }

    @Override
    public void read(NodeId replica, KeyRef key, Consumer<ReplicaReply> reply) {
        unlessIncomplete(key, reply, () -> local.read(replica, key, reply));
    }

    /** Refused too: a replica that cannot tell what it holds must not mint the key's next version. */
    @Override
    public void readToMint(NodeId replica, KeyRef key, Consumer<ReplicaReply> reply) {
        unlessIncomplete(key, reply, () -> local.readToMint(replica, key, reply));
    }

    private void unlessIncomplete(KeyRef key, Consumer<ReplicaReply> reply, Runnable read) {
        if (rebalancer.isIncomplete(key.partition())) {
            reply.accept(new ReplicaReply.Failed(reason(key.partition())));
        } else {
            read.run();
        }
    }

    @Override
    public void write(NodeId replica, KeyRef key, Versioned version, Consumer<ReplicaReply> reply) {
        local.write(replica, key, version, reply);
    }
}
