package io.dynakv.node;

import io.dynakv.common.NodeId;
import io.dynakv.common.message.Transport;
import io.dynakv.replication.antientropy.AntiEntropyResponder;
import io.dynakv.replication.antientropy.AntiEntropyScheduler;
import io.dynakv.replication.coordinator.Coordinator;
import io.dynakv.replication.coordinator.ForwardedWrites;
import io.dynakv.replication.coordinator.RemoteReplicaGateway;
import io.dynakv.replication.coordinator.ReplicaServer;
import io.dynakv.replication.message.ForwardWriteRequest;
import io.dynakv.replication.rebalance.PartitionStreamServer;
import io.dynakv.replication.rebalance.PartitionStreams;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * One event loop and the partitions it owns (shard-per-core, DESIGN section 3 "Threads"). All
 * protocol state of those partitions is touched only on this loop, so it needs no locks: the
 * coordinator of client requests, the replica server for other nodes' coordinators, and the
 * gateway through which this loop's requests reach other nodes.
 */
public final class Shard {

    private final int index;
    private final Context context;
    private final Coordinator coordinator;
    private final RemoteReplicaGateway remote;
    private final ReplicaServer replicaServer;
    private final Transport transport;
    private final AntiEntropyResponder antiEntropyResponder;
    private final AntiEntropyScheduler antiEntropy;
    private final PartitionStreams streams;
    private final PartitionStreamServer streamServer;

    Shard(
            int index,
            Context context,
            Coordinator coordinator,
            RemoteReplicaGateway remote,
            ReplicaServer replicaServer,
            Transport transport,
            AntiEntropyResponder antiEntropyResponder,
            AntiEntropyScheduler antiEntropy,
            PartitionStreams streams,
            PartitionStreamServer streamServer) {
        this.index = index;
        this.context = context;
        this.coordinator = coordinator;
        this.remote = remote;
        this.replicaServer = replicaServer;
        this.transport = transport;
        this.antiEntropyResponder = antiEntropyResponder;
        this.antiEntropy = antiEntropy;
        this.streams = streams;
        this.streamServer = streamServer;
    }

    public int index() {
        return index;
    }

    /** Must only be used from a task passed to {@link #execute}, as must the other protocol parts. */
    public Coordinator coordinator() {
        return coordinator;
    }

    public RemoteReplicaGateway remote() {
        return remote;
    }

    public ReplicaServer replicaServer() {
        return replicaServer;
    }

    /** Serves another node's anti-entropy round: the hashes and buckets of this node's trees. */
    public AntiEntropyResponder antiEntropyResponder() {
        return antiEntropyResponder;
    }

    /** This loop's own anti-entropy rounds; its counters may be read from any thread. */
    public AntiEntropyScheduler antiEntropy() {
        return antiEntropy;
    }

    /** Partitions of this loop streaming in (join, leave, removal); its totals may be read anywhere. */
    public PartitionStreams streams() {
        return streams;
    }

    /** Serves pages of this loop's partitions to nodes that stream them in. */
    public PartitionStreamServer streamServer() {
        return streamServer;
    }

    /** Coordinates a write another node forwarded here, answering it through the transport. */
    public void serveForwarded(NodeId from, ForwardWriteRequest request) {
        ForwardedWrites.serve(coordinator, transport, from, request);
    }

    /** Runs {@code task} on this shard's loop: inline when already there, else enqueued. */
    public void execute(Runnable task) {
        if (Vertx.currentContext() == context) {
            task.run();
        } else {
            context.runOnContext(ignored -> task.run());
        }
    }
}
