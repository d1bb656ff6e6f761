package io.dynakv.replication.coordinator;

import io.dynakv.common.NodeId;

/** Dot leases for tests that do not exercise the lease itself: one large block, renewed at once. */
final class TestDots {

    private static final long BLOCK = 1L << 20;

    private TestDots() {}

    static DotLease lease(NodeId actor) {
        return new DotLease(actor, 0, BLOCK, BLOCK, (name, value, onDurable, onFailed) -> onDurable.run());
    }
}
