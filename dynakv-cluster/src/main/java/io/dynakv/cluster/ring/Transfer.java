package io.dynakv.cluster.ring;

import io.dynakv.common.NodeId;
import java.util.List;

/**
 * One partition replica that must be streamed when the ring changes: {@code target} gains
 * {@code partition} and copies it from one of {@code sources}, the nodes that hold it in the
 * current table, in their preference-list order. The sources may include a node that is leaving
 * (it hands its data off, Dynamo section 4.9) or one that an operator removed because it is dead;
 * the streaming layer picks the first source that is up.
 */
public record Transfer(int partition, List<NodeId> sources, NodeId target) {

    public Transfer {
        if (partition < 0) {
            throw new IllegalArgumentException("partition must not be negative: " + partition);
        }
        sources = List.copyOf(sources);
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("a transfer needs at least one source");
        }
        if (sources.contains(target)) {
            throw new IllegalArgumentException(target + " already holds partition " + partition);
        }
    }
}
