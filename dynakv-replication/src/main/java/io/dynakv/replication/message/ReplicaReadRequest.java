package io.dynakv.replication.message;

import io.dynakv.replication.replica.KeyRef;

/** Asks a replica for its version of {@code key}; answered by a {@link ReplicaReadReply}. */
public record ReplicaReadRequest(long requestId, KeyRef key) implements ReplicaMessage {}
