package io.dynakv.replication.message;

import io.dynakv.replication.coordinator.WriteRequest;

/**
 * A client's write handed to a node that holds the key, by a node that does not (Dynamo section
 * 4.5: a write is coordinated by one of the key's replicas, which mints its version from what it
 * holds). Answered by a {@link ForwardWriteReply} with the outcome the replica's coordinator reached.
 */
public record ForwardWriteRequest(long requestId, WriteRequest write) implements ReplicaMessage {}
