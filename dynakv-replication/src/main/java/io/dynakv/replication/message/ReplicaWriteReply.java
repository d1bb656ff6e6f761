package io.dynakv.replication.message;

import io.dynakv.replication.replica.WriteEffect;

/**
 * The write of request {@code requestId} is durable on the replica that sends this; {@code
 * effect} says what the replica did with it, so a coordinator learns when the write met a
 * concurrent version there and whose value was kept.
 */
public record ReplicaWriteReply(long requestId, WriteEffect effect) implements ReplicaMessage {}
