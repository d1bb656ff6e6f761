package io.dynakv.replication.message;

import io.dynakv.replication.coordinator.Outcome;
import io.dynakv.replication.coordinator.Written;

/** How a forwarded write ended on the replica that coordinated it. */
public record ForwardWriteReply(long requestId, Outcome<Written> outcome) implements ReplicaMessage {}
