package io.dynakv.replication.message;

/** The write of request {@code requestId} is durable on the replica that sends this. */
public record ReplicaWriteReply(long requestId) implements ReplicaMessage {}
