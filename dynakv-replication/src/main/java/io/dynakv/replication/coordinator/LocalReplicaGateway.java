package io.dynakv.replication.coordinator;

import io.dynakv.common.CorruptRecordException;
import io.dynakv.common.NodeId;
import io.dynakv.common.Versioned;
import io.dynakv.replication.replica.Durability;
import io.dynakv.replication.replica.KeyRef;
import io.dynakv.replication.replica.Replica;
import io.dynakv.storage.StorageFullException;
import io.dynakv.storage.StorageOverloadedException;
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

    /**
     * Answers with the stored version once it is durable: a write that is accepted but not yet
     * fsynced is visible in storage, and a crash of this node would take it back, so a read that
     * returned it could show a client a value the cluster then loses. Such a read waits for the
     * group commit the write is already waiting for (asynchronously, on this loop), then reads
     * again: when a newer write to the key came in meanwhile, it waits for that one too.
     */
    @Override
    public void read(NodeId target, KeyRef key, Consumer<ReplicaReply> reply) {
        checkLocal(target);
        readDurable(key, 0, reply);
    }

    /** Answers at once, with what storage holds: see {@link ReplicaGateway#readToMint}. */
    @Override
    public void readToMint(NodeId target, KeyRef key, Consumer<ReplicaReply> reply) {
        checkLocal(target);
        reply.accept(readNow(key));
    }

    /** {@code waited}: the sequence already waited for, so an unchanged key is answered, not waited on again. */
    private void readDurable(KeyRef key, long waited, Consumer<ReplicaReply> reply) {
        long unsynced;
        try {
            unsynced = replica.unsyncedSequence(key);
        } catch (StorageFullException e) {
            reply.accept(storageFull(e));
            return;
        }
        if (unsynced <= waited) {
            reply.accept(readNow(key));
            return;
        }
        durability.whenDurable(
                unsynced, () -> readDurable(key, unsynced, reply), failure -> reply.accept(writeFailed(failure)));
    }

    private ReplicaReply readNow(KeyRef key) {
        try {
            return new ReplicaReply.ReadDone(replica.read(key));
        } catch (CorruptRecordException e) {
            // Never serve damaged data; the other replicas (or an operator) must supply it.
            return new ReplicaReply.Failed("stored record for " + key + " is corrupt: " + e.getMessage());
        } catch (StorageFullException e) {
            return storageFull(e); // the storage is being reopened after its disk filled: a second
        }
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
        } catch (StorageOverloadedException e) {
            reply.accept(new ReplicaReply.Failed("on " + self + ", " + e.getMessage()));
            return;
        }
        durability.whenDurable(
                applied.sequence(),
                () -> reply.accept(new ReplicaReply.WriteDone(applied.effect())),
                failure -> reply.accept(writeFailed(failure)));
    }

    private ReplicaReply.Failed writeFailed(RuntimeException failure) {
        return failure instanceof StorageFullException full
                ? storageFull(full)
                : new ReplicaReply.Failed("writing to disk failed on " + self + ": " + failure);
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
