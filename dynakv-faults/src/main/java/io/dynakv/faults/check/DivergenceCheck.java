package io.dynakv.faults.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Checker (c): every replica of every key holds the same version. A key has diverged when its
 * replicas' local reads differ (a version against another, or against absent), when a node did not
 * answer (its state is unknown), or when fewer nodes than the replication factor claim to be its
 * replicas (one is missing from the ring). Answers from nodes that are not replicas are ignored: a
 * node keeps the data of partitions the ring moved away from it.
 */
public final class DivergenceCheck {

    private DivergenceCheck() {}

    /** The diverged keys of {@code reads} (every node's local read of each key). */
    public static List<Anomaly> check(List<ReplicaRead> reads, int replicationFactor) {
        Map<String, List<ReplicaRead>> byKey =
                reads.stream().collect(Collectors.groupingBy(ReplicaRead::key, TreeMap::new, Collectors.toList()));
        List<Anomaly> diverged = new ArrayList<>();
        byKey.forEach((key, answers) -> {
            List<ReplicaRead> replicas = answers.stream()
                    .filter(r -> r.replica() || (r.status() != 200 && r.status() != 404))
                    .toList();
            long states = replicas.stream().map(ReplicaRead::state).distinct().count();
            boolean failed = replicas.stream().anyMatch(r -> r.status() != 200 && r.status() != 404);
            long replicaCount = replicas.stream().filter(ReplicaRead::replica).count();
            if (states > 1 || failed || replicaCount < replicationFactor) {
                diverged.add(new Anomaly(
                        Anomaly.Kind.DIVERGED,
                        key,
                        replicaCount + " of " + replicationFactor + " replicas answered: "
                                + replicas.stream()
                                        .map(r -> r.node() + "=" + r.state())
                                        .collect(Collectors.joining(", "))));
            }
        });
        return diverged;
    }
}
