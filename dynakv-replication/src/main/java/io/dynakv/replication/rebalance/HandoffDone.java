package io.dynakv.replication.rebalance;

import io.dynakv.common.message.Message;

/**
 * Tells the replica a node replaced in {@code partition}'s preference list that the node finished
 * streaming the partition in and holds it durably: the replaced node may now drop its copy, which
 * lacks every delete made from now on and must never be served or handed on again.
 */
public record HandoffDone(int partition) implements Message {

    private static final int MAX_PARTITION = 0xFFFF;

    public HandoffDone {
        if (partition < 0 || partition > MAX_PARTITION) {
            throw new IllegalArgumentException("partition " + partition + " does not fit 16 bits");
        }
    }
}
