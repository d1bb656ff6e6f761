package io.dynakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.Versioned;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.replication.coordinator.ConsistencyLevel;
import io.dynakv.replication.coordinator.WireCluster;
import io.dynakv.replication.coordinator.WriteRequest;
import io.dynakv.replication.coordinator.Written;
import io.dynakv.replication.replica.KeyRef;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Two PATCHes of one key through two coordinators at once (issue 9 item 9), over the replication
 * core with the real codec and in virtual time: both quorum reads see the same version before
 * either write lands, so the two writes are concurrent and the replicas keep only one value.
 */
class ConcurrentPatchTest {

    private final WireCluster cluster = new WireCluster(3, 3);
    private final NodeId a = cluster.nodes().get(0);
    private final NodeId b = cluster.nodes().get(1);
    private final KeyRef key = new KeyRef(0, "default", "doc".getBytes(StandardCharsets.UTF_8));
    private final ReplicationStats stats = new ReplicationStats();
    private final List<Written> written = new ArrayList<>();
    private final List<ApiException> refused = new ArrayList<>();

    @Test
    void concurrentPatchesOfDifferentFieldsBothSurvive() {
        cluster.coordinator(a)
                .write(
                        new WriteRequest(
                                key, ValueKind.JSON, json("{\"n\":0}"), Optional.empty(), ConsistencyLevel.QUORUM),
                        outcome -> {});
        cluster.run();

        patch(a, "{\"a\":1}");
        patch(b, "{\"b\":2}");
        cluster.run();

        assertThat(refused).isEmpty();
        assertThat(written).hasSize(2);
        for (NodeId node : cluster.nodes()) {
            assertThat(cluster.stored(node, key).map(this::tree)).contains(Http.parse("{\"n\":0,\"a\":1,\"b\":2}"));
        }
        for (Written answer : written) {
            assertThat(tree(answer.version())).isEqualTo(Http.parse("{\"n\":0,\"a\":1,\"b\":2}"));
        }
        assertThat(stats.patchRetries.sum()).isPositive();
        assertThat(stats.patchConflicts.sum()).isZero();
    }

    private void patch(NodeId coordinator, String patch) {
        new PatchOperation(
                        cluster.coordinator(coordinator),
                        key,
                        Http.parse(patch),
                        ConsistencyLevel.QUORUM,
                        1 << 20,
                        stats,
                        written::add,
                        refused::add)
                .start(ConsistencyLevel.QUORUM);
    }

    private com.fasterxml.jackson.databind.JsonNode tree(Versioned v) {
        return Http.parse(new String(v.value(), StandardCharsets.UTF_8));
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
