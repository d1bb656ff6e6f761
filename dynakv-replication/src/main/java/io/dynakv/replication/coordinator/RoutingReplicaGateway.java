package io.dynakv.replication.coordinator;

import io.dynakv.common.NodeId;
import io.dynakv.common.Versioned;
import io.dynakv.replication.replica.KeyRef;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The gateway a clustered coordinator uses: its own node's replica directly (no network hop, and
 * atomic with the coordinator on the partition's loop), every other replica through the remote
 * gateway.
 */
public final class RoutingReplicaGateway implements ReplicaGateway {

    private final NodeId self;
    private final ReplicaGateway local;
    private final ReplicaGateway remote;
    private final Predicate<NodeId> isUp;

    /** @param isUp whether membership believes a node is up: forwarded writes go to the first such replica */
    public RoutingReplicaGateway(NodeId self, ReplicaGateway local, ReplicaGateway remote, Predicate<NodeId> isUp) {
        this.self = self;
        this.local = local;
        this.remote = remote;
        this.isUp = isUp;
    }

    @Override
    public void read(NodeId replica, KeyRef key, Consumer<ReplicaReply> reply) {
        (replica.equals(self) ? local : remote).read(replica, key, reply);
    }

    @Override
    public void readToMint(NodeId replica, KeyRef key, Consumer<ReplicaReply> reply) {
        (replica.equals(self) ? local : remote).readToMint(replica, key, reply);
    }

    @Override
    public void write(NodeId replica, KeyRef key, Versioned version, Consumer<ReplicaReply> reply) {
        (replica.equals(self) ? local : remote).write(replica, key, version, reply);
    }

    @Override
    public boolean likelyUp(NodeId replica) {
        return replica.equals(self) || isUp.test(replica);
    }

    /**
     * Forwards to the first replica that is up, in preference-list order (the same node for every
     * forwarder while membership agrees, so concurrent forwarded writes of a key meet on one
     * coordinator), then to the others. A replica that answers with a failure minted and sent
     * nothing (it cannot coordinate: its copy is still streaming in, or the ring moved), so the
     * next one is tried: a write during a join goes to a complete replica instead of failing.
     */
    @Override
    public void forwardWrite(List<NodeId> replicas, WriteRequest write, Consumer<ReplicaReply> reply) {
        List<NodeId> order = new ArrayList<>(replicas.size());
        replicas.stream().filter(isUp).forEach(order::add);
        replicas.stream().filter(id -> !order.contains(id)).forEach(order::add);
        forwardTo(order, 0, write, reply);
    }

    private void forwardTo(List<NodeId> order, int next, WriteRequest write, Consumer<ReplicaReply> reply) {
        remote.forwardWrite(List.of(order.get(next)), write, answer -> {
            if (answer instanceof ReplicaReply.Failed && next + 1 < order.size()) {
                forwardTo(order, next + 1, write, reply);
            } else {
                reply.accept(answer);
            }
        });
    }
}
