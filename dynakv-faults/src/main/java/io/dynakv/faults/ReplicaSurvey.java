package io.dynakv.faults;

import io.dynakv.faults.check.FinalValue;
import io.dynakv.faults.check.ReplicaRead;
import io.dynakv.faults.cluster.Http;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * Reads every key from every node's own replica ({@code ?local=true}, which repairs nothing), and
 * decides each key's final value: what its replicas agree on, or a quorum read where they do not.
 */
final class ReplicaSurvey {

    private static final int THREADS = 8;

    private final Http http;
    private final List<String> keys;

    ReplicaSurvey(Http http, List<String> keys) {
        this.http = http;
        this.keys = List.copyOf(keys);
    }

    /** One local read of every key on every node. */
    List<ReplicaRead> read(List<String> nodes) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<ReplicaRead>> reads = new ArrayList<>();
            for (String key : keys) {
                for (String node : nodes) {
                    reads.add(pool.submit(() -> readLocal(node, key)));
                }
            }
            List<ReplicaRead> all = new ArrayList<>();
            for (Future<ReplicaRead> read : reads) {
                all.add(read.get());
            }
            return all;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a survey read failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Each key's final value: the replicas' agreed state, else a quorum read through {@code reader}. */
    Map<String, FinalValue> finalValues(List<ReplicaRead> reads, String reader) throws InterruptedException {
        Map<String, List<ReplicaRead>> byKey = reads.stream()
                .filter(ReplicaRead::replica)
                .collect(Collectors.groupingBy(ReplicaRead::key, TreeMap::new, Collectors.toList()));
        Map<String, FinalValue> finals = new TreeMap<>();
        for (String key : keys) {
            List<ReplicaRead> replicas = byKey.getOrDefault(key, List.of());
            boolean agreed = !replicas.isEmpty()
                    && replicas.stream()
                                    .map(r -> r.status() + " " + r.version())
                                    .distinct()
                                    .count()
                            == 1;
            if (agreed && replicas.get(0).status() == 200) {
                finals.put(key, new FinalValue(key, replicas.get(0).value()));
            } else if (agreed && replicas.get(0).status() == 404) {
                finals.put(key, FinalValue.absent(key));
            } else {
                finals.put(key, quorumRead(reader, key));
            }
        }
        return finals;
    }

    private ReplicaRead readLocal(String node, String key) throws InterruptedException {
        try {
            Http.Response response = http.get(node, Http.keyPath(key) + "?local=true");
            boolean ok = response.status() == 200;
            return new ReplicaRead(
                    key,
                    node,
                    "true".equals(response.replica()),
                    response.status(),
                    ok ? response.json().path("version").asText() : null,
                    ok ? response.json().path("value").asText() : null);
        } catch (IOException e) {
            return new ReplicaRead(key, node, false, -1, null, null);
        }
    }

    /** A quorum read of the key; a failed one makes the key unverified rather than ending the run. */
    private FinalValue quorumRead(String reader, String key) throws InterruptedException {
        try {
            Http.Response response = http.get(reader, Http.keyPath(key));
            if (response.status() == 200) {
                return new FinalValue(key, response.json().path("value").asText());
            }
            if (response.status() == 404) {
                return FinalValue.absent(key);
            }
            return FinalValue.unreadable(
                    key, "final read through " + reader + " answered " + response.status() + " " + response.body());
        } catch (IOException e) {
            return FinalValue.unreadable(key, "final read through " + reader + " failed: " + e);
        }
    }
}
