package io.dynakv.replication.message;

import io.dynakv.common.message.Message;

/** A message of the replica protocol; replies carry the {@code requestId} of their request. */
public sealed interface ReplicaMessage extends Message
        permits ReplicaReadRequest,
                ReplicaReadReply,
                ReplicaWriteRequest,
                ReplicaWriteReply,
                ReplicaFailure,
                ForwardWriteRequest,
                ForwardWriteReply {

    /** Chosen by the coordinator's gateway; unique among its requests in flight. */
    long requestId();
}
