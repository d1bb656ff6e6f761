package io.dynakv.replication.coordinator;

import io.dynakv.common.NodeId;
import io.dynakv.common.message.Transport;
import io.dynakv.replication.message.ForwardWriteReply;
import io.dynakv.replication.message.ForwardWriteRequest;
import io.dynakv.replication.message.ReplicaFailure;

/**
 * The receiving side of write forwarding: coordinates a write another node forwarded here and
 * answers it with the outcome. Runs on the loop that owns the key's partition, like any write.
 * When this node cannot coordinate it (it no longer holds the key, or its copy is still streaming
 * in), it answers a {@link ReplicaFailure} instead: nothing was minted or sent, so the forwarder
 * hands the write to the next replica ({@link RoutingReplicaGateway#forwardWrite}).
 */
public final class ForwardedWrites {

    private ForwardedWrites() {}

    public static void serve(Coordinator coordinator, Transport transport, NodeId from, ForwardWriteRequest request) {
        coordinator.writeForwarded(
                request.write(),
                outcome -> transport.send(from, new ForwardWriteReply(request.requestId(), outcome)),
                failed -> transport.send(
                        from, new ReplicaFailure(request.requestId(), failed.reason(), failed.storageFull())));
    }
}
