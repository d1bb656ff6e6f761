package io.dynakv.replication.coordinator;

import io.dynakv.common.NodeId;
import io.dynakv.common.Versioned;
import io.dynakv.replication.replica.KeyRef;
import java.util.List;
import java.util.function.Consumer;

/**
 * How a coordinator reaches a replica. Every reply, and at most one, is delivered on the
 * coordinator's own event loop; a replica that never answers is covered by the coordinator's
 * timeout.
 */
public interface ReplicaGateway {

    /** Asks {@code replica} for its version of {@code key}. */
    void read(NodeId replica, KeyRef key, Consumer<ReplicaReply> reply);

    /**
     * Reads this node's own replica for minting a write's version: like {@link #read}, but it may
     * answer with a write that is not durable yet. The new version descends it either way, and
     * waiting for that write's fsync would make writes to one key wait one fsync each.
     */
    default void readToMint(NodeId replica, KeyRef key, Consumer<ReplicaReply> reply) {
        read(replica, key, reply);
    }

    /** Sends {@code version} to {@code replica}; the reply comes once it is durable there. */
    void write(NodeId replica, KeyRef key, Versioned version, Consumer<ReplicaReply> reply);

    /** Whether membership believes {@code replica} is up; reads ask such replicas first. */
    default boolean likelyUp(NodeId replica) {
        return true;
    }

    /**
     * Hands a client's write to one of {@code replicas} (the key's preference list, of which this
     * node is not part) to coordinate; the reply is {@link ReplicaReply.Forwarded} with its outcome.
     * A gateway that reaches no other node cannot forward and fails at once.
     */
    default void forwardWrite(List<NodeId> replicas, WriteRequest write, Consumer<ReplicaReply> reply) {
        reply.accept(new ReplicaReply.Failed("no replica of " + write.key() + " is reachable from this node"));
    }
}
