package io.dynakv.replication.message;

import io.dynakv.common.Versioned;
import io.dynakv.replication.replica.KeyRef;

/**
 * Sends a version of {@code key} for the replica to resolve against its own and store; answered
 * by a {@link ReplicaWriteReply} once that is durable. {@code ringEpoch} is the epoch of the
 * coordinator's ring table (0: a fixed ring), so a replica that is behind learns of the newer one.
 */
public record ReplicaWriteRequest(long requestId, KeyRef key, Versioned version, long ringEpoch)
        implements ReplicaMessage {}
