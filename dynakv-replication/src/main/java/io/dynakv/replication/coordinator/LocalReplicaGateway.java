package io.dynakv.replication.coordinator;

import io.dynakv.common.CorruptRecordException;
import io.dynakv.common.NodeId;
import io.dynakv.common.Versioned;
import io.dynakv.replication.replica.Durability;
import io.dynakv.replication.replica.KeyRef;
import io.dynakv.replication.replica.Replica;
import io.dynakv.storage.StorageFullException;
import java.util.function.Consumer;

/**
 * Reaches this node's own replica without a network hop: reads answer at once, writes answer when
 * the group committer reports them durable. The coordinator of a key runs on the loop that owns its
 * partition, so calling the replica directly keeps single-key operations atomic.
 */
public final class LocalReplicaGateway implements ReplicaGateway {

    private final NodeId self;
    private final Replica replica;
    private final Durability durability;

    public LocalReplicaGateway(NodeId self, Replica replica, Durability durability) {
        this.self = self;
        this.replica = replica;
        this.durability = durability;
    }

    @Override
    public void read(NodeId target, KeyRef key, Consumer<ReplicaReply> reply) {
        checkLocal(target);
        ReplicaReply answer;
        try {
            answer = new ReplicaReply.ReadDone(replica.read(key));
        } catch (CorruptRecordException e) {
            // Never serve damaged data; the other replicas (or an operator) must supply it.
            answer = new ReplicaReply.Failed("stored record for " + key + " is corrupt: " + e.getMessage());
        } catch (StorageFullException e) {
            answer = storageFull(e); // the storage is being reopened after its disk filled: a second
        }
        reply.accept(answer);
    }

    @Override
    public void write(NodeId target, KeyRef key, Versioned version, Consumer<ReplicaReply> reply) {
        checkLocal(target);
        Replica.Applied applied;
        try {
            applied = replica.applyWrite(key, version);
        } catch (CorruptRecordException e) {
            reply.accept(new ReplicaReply.Failed("stored record for " + key + " is corrupt: " + e.getMessage()));
            return;
        } catch (StorageFullException e) {
            reply.accept(storageFull(e));
            return;
        }
        durability.whenDurable(
                applied.sequence(),
                () -> reply.accept(new ReplicaReply.WriteDone(applied.effect())),
                failure -> reply.accept(
                        failure instanceof StorageFullException full
                                ? storageFull(full)
                                : new ReplicaReply.Failed("writing to disk failed on " + self + ": " + failure)));
    }

    private ReplicaReply.Failed storageFull(StorageFullException e) {
        return new ReplicaReply.Failed("on " + self + ", " + e.getMessage(), true);
    }

    private void checkLocal(NodeId target) {
        if (!target.equals(self)) {
            throw new IllegalStateException("no transport to " + target + " yet: this build runs a single node");
        }
    }
}
