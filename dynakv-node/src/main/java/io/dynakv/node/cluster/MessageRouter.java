package io.dynakv.node.cluster;

import io.dynakv.cluster.membership.SwimMessage;
import io.dynakv.cluster.ring.PartitionTable;
import io.dynakv.cluster.ring.RingUpdate;
import io.dynakv.common.NodeId;
import io.dynakv.common.message.Message;
import io.dynakv.common.message.MessageHandler;
import io.dynakv.common.message.Transport;
import io.dynakv.node.Shard;
import io.dynakv.node.ShardRouter;
import io.dynakv.replication.antientropy.AntiEntropyMessage;
import io.dynakv.replication.coordinator.RemoteReplicaGateway;
import io.dynakv.replication.message.ForwardWriteRequest;
import io.dynakv.replication.message.ReplicaFailure;
import io.dynakv.replication.message.ReplicaMessage;
import io.dynakv.replication.message.ReplicaReadRequest;
import io.dynakv.replication.message.ReplicaWriteRequest;
import io.dynakv.replication.rebalance.HandoffDone;
import io.dynakv.replication.rebalance.StreamPage;
import io.dynakv.replication.rebalance.StreamRequest;
import io.vertx.core.Context;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each message from a peer to the loop whose protocol state it belongs to: membership and
 * ring messages to the control loop; requests about a key to the shard that owns its partition
 * (where that partition's replica and coordinator live); replies to the loop that sent the
 * request, named by the loop index in the request id ({@link RemoteReplicaGateway#loopIndexOf}).
 * A message that arrives before its loop is ready is dropped, which protocols treat as lost.
 */
final class MessageRouter implements MessageHandler {

    private static final Logger log = LoggerFactory.getLogger(MessageRouter.class);

    private final ShardRouter shards;
    private final Context controlLoop;
    private final Context handoffLoop;
    private volatile ClusterControl control;
    private volatile RemoteReplicaGateway handoffGateway;
    private volatile Rebalancer rebalancer;
    private volatile Transport transport;

    /** @param handoffLoop where hint replay runs: replies to its gateway go there */
    MessageRouter(ShardRouter shards, Context controlLoop, Context handoffLoop) {
        this.shards = shards;
        this.controlLoop = controlLoop;
        this.handoffLoop = handoffLoop;
    }

    /** The control loop's protocols and hint replay's gateway; messages for them before this are dropped. */
    void attach(
            ClusterControl control, RemoteReplicaGateway handoffGateway, Rebalancer rebalancer, Transport transport) {
        this.rebalancer = rebalancer;
        this.transport = transport;
        this.handoffGateway = handoffGateway;
        this.control = control;
    }

    @Override
    public void onMessage(NodeId from, Message message) {
        if (control == null) {
            return; // still starting: a lost message
        }
        if (message instanceof SwimMessage || message instanceof RingUpdate) {
            ClusterControl c = control;
            if (c != null) {
                controlLoop.runOnContext(ignored -> c.onMessage(from, message));
            }
        } else if (message instanceof HandoffDone done) {
            Rebalancer r = rebalancer;
            controlLoop.runOnContext(ignored -> r.onHandoffDone(from, done.partition()));
        } else if (message instanceof ReplicaReadRequest read) {
            int partition = read.key().partition();
            String refusal = readRefusal(from, partition, read.ringEpoch());
            if (refusal != null) {
                transport.send(from, new ReplicaFailure(read.requestId(), refusal));
            } else {
                onPartition(partition, shard -> shard.replicaServer().onRequest(from, message));
            }
        } else if (message instanceof ReplicaWriteRequest write) {
            // Taken whatever the epochs: a write merges with what the stream brings.
            ClusterControl c = control;
            compareRings(c, from, write.ringEpoch(), c.view().table());
            onPartition(write.key().partition(), shard -> shard.replicaServer().onRequest(from, message));
        } else if (message instanceof ForwardWriteRequest forward) {
            onPartition(forward.write().key().partition(), shard -> shard.serveForwarded(from, forward));
        } else if (message instanceof ReplicaMessage reply) {
            onReply(from, reply);
        } else if (message instanceof StreamRequest stream) {
            // Served even while the partition streams in here: the pages then say they are partial.
            onPartition(stream.partition(), shard -> shard.streamServer().onMessage(from, stream));
        } else if (message instanceof StreamPage page) {
            onPartition(page.partition(), shard -> shard.streams().onMessage(from, page));
        } else if (message instanceof AntiEntropyMessage.HashesRequest hashes) {
            onPartition(
                    hashes.partition(), shard -> shard.antiEntropyResponder().onMessage(from, hashes));
        } else if (message instanceof AntiEntropyMessage.BucketRequest bucket) {
            onPartition(
                    bucket.partition(), shard -> shard.antiEntropyResponder().onMessage(from, bucket));
        } else if (message instanceof AntiEntropyMessage round) {
            // A reply to one of this node's rounds: the session id names the loop that runs it.
            Shard shard = shards.byIndex(RemoteReplicaGateway.loopIndexOf(round.sessionId()));
            if (shard != null) {
                shard.execute(() -> shard.antiEntropy().onMessage(from, round));
            }
        } else {
            log.debug(
                    "dropped a {} from {}: nothing here handles it",
                    message.getClass().getSimpleName(),
                    from);
        }
    }

    /**
     * Why this replica must not answer a read of {@code partition}, or null. A partition still
     * streaming in holds only part of its data. A replica whose ring is older than the
     * coordinator's may hold the partition in the newer ring without knowing it, so without having
     * streamed it: it answers nothing rather than "absent" from an empty copy. A replica whose
     * newer ring no longer gives it the partition may have dropped its copy: the same.
     */
    private String readRefusal(NodeId from, int partition, long ringEpoch) {
        if (rebalancer.isIncomplete(partition)) {
            return IncompleteReadsRefused.reason(partition);
        }
        ClusterControl c = control;
        PartitionTable mine = c.view().table();
        long epoch = epochOf(mine);
        compareRings(c, from, ringEpoch, mine);
        if (ringEpoch > epoch) {
            return "this replica's ring (epoch " + epoch + ") is older than the coordinator's (epoch " + ringEpoch
                    + "): it may hold partition " + partition + " without having streamed it";
        }
        if (ringEpoch != 0 && mine != null && ringEpoch < epoch && !mine.holds(c.self(), partition)) {
            return "partition " + partition + " moved away from this replica in ring epoch " + epoch
                    + " (the coordinator's is " + ringEpoch + ")";
        }
        return null;
    }

    /**
     * When {@code from} sent a request under another ring epoch than this node's table {@code
     * mine}, lets the control loop swap tables with it so the one behind catches up. Epoch 0 is a
     * fixed ring, never compared.
     */
    private void compareRings(ClusterControl c, NodeId from, long ringEpoch, PartitionTable mine) {
        if (ringEpoch != 0 && ringEpoch != epochOf(mine)) {
            controlLoop.runOnContext(ignored -> c.ringEpochSeen(from, ringEpoch));
        }
    }

    /** 0 before this node has a table. */
    private static long epochOf(PartitionTable table) {
        return table == null ? 0 : table.epoch();
    }

    private void onReply(NodeId from, ReplicaMessage reply) {
        int loop = RemoteReplicaGateway.loopIndexOf(reply.requestId());
        if (loop < shards.size()) {
            Shard shard = shards.byIndex(loop);
            if (shard != null) {
                shard.execute(() -> shard.remote().onReply(from, reply));
            }
        } else if (loop == shards.size() && handoffGateway != null) {
            RemoteReplicaGateway gateway = handoffGateway;
            handoffLoop.runOnContext(ignored -> gateway.onReply(from, reply));
        }
    }

    private void onPartition(int partition, Consumer<Shard> work) {
        if (partition < 0) {
            return;
        }
        Shard shard = shards.byIndex(partition % shards.size());
        if (shard != null) {
            shard.execute(() -> work.accept(shard));
        }
    }
}
