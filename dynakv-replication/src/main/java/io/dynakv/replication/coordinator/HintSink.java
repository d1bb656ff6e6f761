package io.dynakv.replication.coordinator;

import io.dynakv.common.NodeId;
import io.dynakv.common.Versioned;
import io.dynakv.replication.replica.KeyRef;

/** Where a coordinator leaves a write for a replica that missed it (hinted handoff). */
@FunctionalInterface
public interface HintSink {

    /** Leaves no hints: for coordinators whose replicas are all local. */
    HintSink NONE = (target, key, version) -> {};

    void hint(NodeId target, KeyRef key, Versioned version);
}
