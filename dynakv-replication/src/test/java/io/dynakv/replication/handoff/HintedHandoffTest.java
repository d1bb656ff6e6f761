package io.dynakv.replication.handoff;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.Versioned;
import io.dynakv.replication.coordinator.ConsistencyLevel;
import io.dynakv.replication.coordinator.Outcome;
import io.dynakv.replication.coordinator.TestClusterAccess;
import io.dynakv.replication.coordinator.WriteRequest;
import io.dynakv.replication.coordinator.Written;
import io.dynakv.replication.replica.KeyRef;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A replica that misses writes gets them back from the coordinator's hints (Dynamo 4.6). */
class HintedHandoffTest {

    private static final long TIMEOUT_MILLIS = 1_001;

    private final TestClusterAccess cluster = new TestClusterAccess(3, 3);
    private final NodeId a = cluster.node(0);
    private final NodeId b = cluster.node(1);
    private final NodeId c = cluster.node(2);
    private final KeyRef key = new KeyRef(0, "default", "k".getBytes(StandardCharsets.UTF_8));

    @Test
    void aSilentReplicaGetsAHintAtTheTimeoutAndTheReplayDeliversIt() {
        cluster.down(c, true);
        assertThat(write(a, "\"v1\"")).isInstanceOf(Outcome.Ok.class); // W=2 without c
        assertThat(cluster.storage(a).hints(c, 0, 10)).isEmpty(); // c may still answer
        cluster.advanceMillis(TIMEOUT_MILLIS);
        assertThat(cluster.storage(a).hints(c, 0, 10)).hasSize(1);

        cluster.down(c, false);
        HintReplayer replayer = replayer(a);
        assertThat(replayer.replay()).isEqualTo(1);
        cluster.run();

        assertThat(cluster.stored(c, key)).map(HintedHandoffTest::text).contains("\"v1\"");
        assertThat(cluster.storage(a).hints(c, 0, 10)).isEmpty();
        assertThat(cluster.stats().hintsDelivered.sum()).isEqualTo(1);
    }

    @Test
    void aFailingReplicaGetsAHintAtOnceAndNoReplicaGetsTwo() {
        cluster.failing(c, true);
        write(a, "\"v1\"");
        assertThat(cluster.storage(a).hints(c, 0, 10)).hasSize(1);
        cluster.advanceMillis(TIMEOUT_MILLIS); // the timeout must not hint it again
        assertThat(cluster.storage(a).hints(c, 0, 10)).hasSize(1);
        assertThat(cluster.storage(a).hints(b, 0, 10)).isEmpty();
    }

    @Test
    void replayWaitsForTheTargetAndKeepsHintsThroughASilentAttempt() {
        cluster.down(c, true);
        write(a, "\"v1\"");
        cluster.advanceMillis(TIMEOUT_MILLIS);
        HintReplayer replayer = replayer(a);

        assertThat(replayer.replay()).as("c is down: nothing sent").isZero();
        cluster.markUp(c); // membership thinks c is back, but it drops everything
        assertThat(replayer.replay()).isEqualTo(1);
        assertThat(replayer.replay()).as("a batch in flight").isZero();
        cluster.advanceMillis(TIMEOUT_MILLIS); // the batch is given up, the hint stays
        assertThat(cluster.storage(a).hints(c, 0, 10)).hasSize(1);

        cluster.down(c, false);
        assertThat(replayer.replay()).isEqualTo(1);
        cluster.run();
        assertThat(cluster.storage(a).hints(c, 0, 10)).isEmpty();
        assertThat(cluster.stored(c, key)).isPresent();
    }

    private HintReplayer replayer(NodeId on) {
        return new HintReplayer(
                cluster.storage(on),
                cluster.gateway(),
                cluster.scheduler(),
                cluster.stats(),
                () -> List.of(a, b, c),
                cluster::isUp,
                100,
                1_000_000_000L,
                1_000_000_000L);
    }

    private Outcome<Written> write(NodeId coordinator, String json) {
        List<Outcome<Written>> out = new ArrayList<>();
        WriteRequest request = new WriteRequest(
                key, ValueKind.JSON, json.getBytes(StandardCharsets.UTF_8), Optional.empty(), ConsistencyLevel.QUORUM);
        cluster.coordinator(coordinator).write(request, out::add);
        cluster.run();
        return out.get(0);
    }

    private static String text(Versioned v) {
        return new String(v.value(), StandardCharsets.UTF_8);
    }
}
