package io.dynakv.cluster.ring;

import io.dynakv.common.NodeId;
import java.util.List;

/** Which nodes hold each partition. Implementations are immutable snapshots of one ring version. */
public interface Ring {

    /** The partition's preference list: its home replicas, first the primary, all distinct. */
    List<NodeId> preferenceList(int partition);

    /** The replication factor N this ring was built for (capped by the number of nodes). */
    int replicationFactor();
}
