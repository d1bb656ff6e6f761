package io.dynakv.replication.coordinator;

import io.dynakv.common.Versioned;
import io.dynakv.replication.replica.WriteEffect;
import java.util.Optional;

/** A replica's answer to a read or write. Failures are values, not exceptions (STYLE section 3). */
public sealed interface ReplicaReply {

    /** The replica's version of the key; empty when it has none. */
    record ReadDone(Optional<Versioned> value) implements ReplicaReply {}

    /** The write is durable on the replica; {@code effect} says whether its value was kept there. */
    record WriteDone(WriteEffect effect) implements ReplicaReply {

        /** A write the replica stored as it came (nothing concurrent was there). */
        public WriteDone() {
            this(WriteEffect.APPLIED);
        }
    }

    /** A forwarded write ended on the replica that coordinated it. */
    record Forwarded(Outcome<Written> outcome) implements ReplicaReply {}

    /**
     * The replica could not do it; {@code reason} is for logs and error messages. {@code
     * storageFull}: because its disk is full, which the client hears as 507, not 503.
     */
    record Failed(String reason, boolean storageFull) implements ReplicaReply {

        public Failed(String reason) {
            this(reason, false);
        }
    }
}
