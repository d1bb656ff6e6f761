package io.dynakv.replication.message;

import io.dynakv.common.Versioned;
import java.util.Optional;

/** A replica's version of the key it was asked for (tombstones included); empty when it has none. */
public record ReplicaReadReply(long requestId, Optional<Versioned> value) implements ReplicaMessage {}
