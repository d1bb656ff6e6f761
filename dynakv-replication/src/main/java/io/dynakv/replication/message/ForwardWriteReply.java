package io.dynakv.replication.message;

import io.dynakv.common.Versioned;
import io.dynakv.replication.coordinator.Outcome;

/** How a forwarded write ended on the replica that coordinated it. */
public record ForwardWriteReply(long requestId, Outcome<Versioned> outcome) implements ReplicaMessage {}
