package io.dynakv.replication.message;

import io.dynakv.replication.replica.KeyRef;

/**
 * Asks a replica for its version of {@code key}; answered by a {@link ReplicaReadReply}. {@code
 * ringEpoch} is the epoch of the coordinator's ring table (0: a fixed ring, never compared): a
 * replica whose table is older may hold the partition without knowing it must stream it in, so it
 * refuses the read rather than answer from an empty copy.
 */
public record ReplicaReadRequest(long requestId, KeyRef key, long ringEpoch) implements ReplicaMessage {}
