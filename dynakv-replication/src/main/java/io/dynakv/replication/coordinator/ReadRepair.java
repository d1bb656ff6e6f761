package io.dynakv.replication.coordinator;

import io.dynakv.common.NodeId;
import io.dynakv.common.Versioned;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which replicas a read found stale (Dynamo paper, section 5: read repair). Pure, so the decision is
 * tested apart from sending: a replica is stale when it does not hold exactly the newest version: it
 * lacks its full history, or holds other contents under the same clock (see {@code Resolution}).
 */
final class ReadRepair {

    private ReadRepair() {}

    static List<NodeId> staleReplicas(Map<NodeId, Optional<Versioned>> answers, Versioned newest) {
        List<NodeId> stale = new ArrayList<>();
        for (Map.Entry<NodeId, Optional<Versioned>> e : answers.entrySet()) {
            Optional<Versioned> answer = e.getValue();
            if (answer.isEmpty() || !answer.get().equals(newest)) {
                stale.add(e.getKey());
            }
        }
        return stale;
    }
}
