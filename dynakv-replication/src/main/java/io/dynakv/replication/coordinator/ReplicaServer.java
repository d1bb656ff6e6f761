package io.dynakv.replication.coordinator;

import io.dynakv.common.NodeId;
import io.dynakv.common.message.Message;
import io.dynakv.common.message.Transport;
import io.dynakv.replication.message.ReplicaFailure;
import io.dynakv.replication.message.ReplicaReadReply;
import io.dynakv.replication.message.ReplicaReadRequest;
import io.dynakv.replication.message.ReplicaWriteReply;
import io.dynakv.replication.message.ReplicaWriteRequest;
import io.dynakv.replication.replica.Durability;
import io.dynakv.replication.replica.Replica;

/**
 * The replica side of the replica protocol: serves requests that other nodes' coordinators sent
 * to this node's {@link Replica} and answers each through the {@link Transport}, under the
 * request's id. Reads are answered at once; writes once {@link Durability} reports them durable
 * (DESIGN section 2: an ack means fsynced). It runs on the event loop that owns the key's
 * partition, like a local coordinator, so it shares {@link LocalReplicaGateway}'s semantics.
 *
 * <p>A duplicated request is served again: a read is harmless, and applying the same version twice
 * changes nothing ({@code Resolution} ignores an equal version), so the second ack is just a
 * duplicate reply, which the coordinator's gateway ignores.
 */
public final class ReplicaServer {

    private final NodeId self;
    private final LocalReplicaGateway local;
    private final Transport transport;

    public ReplicaServer(NodeId self, Replica replica, Durability durability, Transport transport) {
        this.self = self;
        this.local = new LocalReplicaGateway(self, replica, durability);
        this.transport = transport;
    }

    /**
     * Serves {@code message} when it is a replica request from {@code from} and returns true;
     * returns false, doing nothing, for any other message.
     */
    public boolean onRequest(NodeId from, Message message) {
        if (message instanceof ReplicaReadRequest read) {
            local.read(self, read.key(), reply -> answer(from, read.requestId(), reply));
            return true;
        }
        if (message instanceof ReplicaWriteRequest write) {
            local.write(self, write.key(), write.version(), reply -> answer(from, write.requestId(), reply));
            return true;
        }
        return false;
    }

    /** True for the messages {@link #onRequest} serves; a node routes them by key partition. */
    public static boolean isRequest(Message message) {
        return message instanceof ReplicaReadRequest || message instanceof ReplicaWriteRequest;
    }

    private void answer(NodeId to, long requestId, ReplicaReply reply) {
        Message message;
        if (reply instanceof ReplicaReply.ReadDone done) {
            message = new ReplicaReadReply(requestId, done.value());
        } else if (reply instanceof ReplicaReply.WriteDone done) {
            message = new ReplicaWriteReply(requestId, done.effect());
        } else {
            ReplicaReply.Failed failed = (ReplicaReply.Failed) reply;
            message = new ReplicaFailure(requestId, failed.reason(), failed.storageFull());
        }
        transport.send(to, message);
    }
}
