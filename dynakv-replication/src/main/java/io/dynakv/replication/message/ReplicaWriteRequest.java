package io.dynakv.replication.message;

import io.dynakv.common.Versioned;
import io.dynakv.replication.replica.KeyRef;

/**
 * Sends a version of {@code key} for the replica to resolve against its own and store; answered
 * by a {@link ReplicaWriteReply} once that is durable.
 */
public record ReplicaWriteRequest(long requestId, KeyRef key, Versioned version) implements ReplicaMessage {}
