package io.dynakv.replication.coordinator;

import io.dynakv.common.NodeId;
import io.dynakv.common.Versioned;
import io.dynakv.replication.replica.KeyRef;
import java.util.function.Consumer;

/**
 * The gateway a clustered coordinator uses: its own node's replica directly (no network hop, and
 * atomic with the coordinator on the partition's loop), every other replica through the remote
 * gateway.
 */
public final class RoutingReplicaGateway implements ReplicaGateway {

    private final NodeId self;
    private final ReplicaGateway local;
    private final ReplicaGateway remote;

    public RoutingReplicaGateway(NodeId self, ReplicaGateway local, ReplicaGateway remote) {
        this.self = self;
        this.local = local;
        this.remote = remote;
    }

    @Override
    public void read(NodeId replica, KeyRef key, Consumer<ReplicaReply> reply) {
        (replica.equals(self) ? local : remote).read(replica, key, reply);
    }

    @Override
    public void write(NodeId replica, KeyRef key, Versioned version, Consumer<ReplicaReply> reply) {
        (replica.equals(self) ? local : remote).write(replica, key, version, reply);
    }
}
