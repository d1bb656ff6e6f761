package io.dynakv.replication.rebalance;

import io.dynakv.common.NodeId;

/** What a partition stream knows of its sources, from membership and the ring. */
public interface SourceStatus {

    /** Whether {@code node} is up: worth asking now. A down node may come back. */
    boolean isUp(NodeId node);

    /**
     * Whether {@code node} left the cluster for good (a graceful leave, or an operator's removal):
     * it will never answer, so waiting for it would stall the stream forever.
     */
    boolean hasLeft(NodeId node);
}
