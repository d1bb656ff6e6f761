package io.dynakv.cluster.ring;

import io.dynakv.common.NodeId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * A ring over a fixed node list: partition p's replicas are the N nodes starting at position
 * p mod n, walking clockwise. The single node uses it with one member; the cluster issue replaces
 * it with virtual-node placement, behind the same {@link Ring} interface.
 */
public final class StaticRing implements Ring {

    private final List<NodeId> nodes;
    private final int replicationFactor;

    public StaticRing(List<NodeId> nodes, int replicationFactor) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("a ring needs at least one node");
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication factor must be at least 1");
        }
        if (new HashSet<>(nodes).size() != nodes.size()) {
            // A repeated node would appear twice in a preference list, which must be distinct.
            throw new IllegalArgumentException("a ring's nodes must be distinct: " + nodes);
        }
        this.nodes = List.copyOf(nodes);
        this.replicationFactor = Math.min(replicationFactor, nodes.size());
    }

    @Override
    public List<NodeId> preferenceList(int partition) {
        if (partition < 0) {
            throw new IllegalArgumentException("partition must not be negative: " + partition);
        }
        int first = partition % nodes.size(); // before adding i, so partition + i cannot overflow
        List<NodeId> list = new ArrayList<>(replicationFactor);
        for (int i = 0; i < replicationFactor; i++) {
            list.add(nodes.get((first + i) % nodes.size()));
        }
        return list;
    }

    @Override
    public int replicationFactor() {
        return replicationFactor;
    }
}
