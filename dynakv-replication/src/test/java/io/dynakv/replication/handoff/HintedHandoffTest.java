package io.dynakv.replication.handoff;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import io.dynakv.replication.coordinator.ConsistencyLevel;
import io.dynakv.replication.coordinator.Outcome;
import io.dynakv.replication.coordinator.ReplicaGateway;
import io.dynakv.replication.coordinator.ReplicaReply;
import io.dynakv.replication.coordinator.TestClusterAccess;
import io.dynakv.replication.coordinator.WriteRequest;
import io.dynakv.replication.coordinator.Written;
import io.dynakv.replication.replica.KeyRef;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** A replica that misses writes gets them back from the coordinator's hints (Dynamo 4.6). */
class HintedHandoffTest {

    private static final long TIMEOUT_MILLIS = 1_001;

    private final TestClusterAccess cluster = new TestClusterAccess(3, 3);
    private final NodeId a = cluster.node(0);
    private final NodeId b = cluster.node(1);
    private final NodeId c = cluster.node(2);
    private final KeyRef key = new KeyRef(0, "default", "k".getBytes(StandardCharsets.UTF_8));
    private final Set<NodeId> left = new HashSet<>();

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

    @Test
    void hintsForOneKeyCollapseToTheNewest() {
        cluster.down(c, true);
        write(a, "\"v1\"");
        write(a, "\"v2\"");
        write(a, "\"v3\"");
        cluster.advanceMillis(TIMEOUT_MILLIS);
        assertThat(cluster.storage(a).hints(c, 0, 10)).hasSize(3);

        cluster.down(c, false);
        assertThat(replayer(a).replay()).as("one write for the key, not three").isEqualTo(1);
        cluster.run();

        assertThat(cluster.stored(c, key)).map(HintedHandoffTest::text).contains("\"v3\"");
        assertThat(cluster.storage(a).hints(c, 0, 10)).isEmpty();
        assertThat(cluster.stats().hintsDelivered.sum()).isEqualTo(3);
    }

    /**
     * A hint replayed after the tombstone that deleted its value was purged would bring the value
     * back: hints never live longer than the grace (a short grace shortens the hint window).
     */
    @Test
    void hintsNeverOutliveTheTombstoneGrace() {
        assertThat(HintReplayer.Limits.forTombstoneGrace(60_000).maxAgeMillis()).isEqualTo(60_000);
        assertThat(HintReplayer.Limits.forTombstoneGrace(864_000_000L))
                .as("a long grace keeps the usual window")
                .isEqualTo(HintReplayer.Limits.DEFAULT);
    }

    @Test
    void hintsOlderThanMaxAgeAreDropped() {
        cluster.down(c, true);
        write(a, "\"old\"");
        cluster.advanceMillis(TIMEOUT_MILLIS);
        HintReplayer replayer = replayer(a, new HintReplayer.Limits(60_000, 1_000), 100);

        replayer.replay();
        assertThat(cluster.storage(a).hints(c, 0, 10)).as("young enough: kept").hasSize(1);
        cluster.advanceMillis(60_000);
        replayer.replay(); // c is still down: hints age all the same
        assertThat(cluster.storage(a).hints(c, 0, 10)).isEmpty();
        assertThat(cluster.stats().hintsDropped.sum()).isEqualTo(1);

        cluster.down(c, false);
        assertThat(replayer.replay()).isZero();
        assertThat(cluster.stored(c, key)).as("anti-entropy's job now").isEmpty();
    }

    @Test
    void hintsForARemovedNodeAreDropped() {
        cluster.down(c, true);
        write(a, "\"v1\"");
        cluster.advanceMillis(TIMEOUT_MILLIS);
        assertThat(cluster.storage(a).hintTargets()).containsExactly(c);
        left.add(c); // an operator removed c from the ring

        assertThat(replayer(a).replay()).isZero();

        assertThat(cluster.storage(a).hints(c, 0, 10)).isEmpty();
        assertThat(cluster.storage(a).hintTargets()).isEmpty();
        assertThat(cluster.stats().hintsDropped.sum()).isEqualTo(1);
    }

    @Test
    void oneFailingHintDoesNotBlockTheOthers() {
        cluster.down(c, true);
        KeyRef poisoned = keyNamed("poisoned");
        write(a, poisoned, "\"refused\"");
        write(a, keyNamed("second"), "\"2\"");
        write(a, keyNamed("third"), "\"3\"");
        cluster.advanceMillis(TIMEOUT_MILLIS);
        cluster.down(c, false);
        // c refuses the first hint every time (a corrupt record there, say), and takes the rest.
        ReplicaGateway refusingOne = new ReplicaGateway() {
            @Override
            public void read(NodeId replica, KeyRef k, Consumer<ReplicaReply> reply) {
                cluster.gateway().read(replica, k, reply);
            }

            @Override
            public void write(NodeId replica, KeyRef k, Versioned version, Consumer<ReplicaReply> reply) {
                if (k.equals(poisoned)) {
                    reply.accept(new ReplicaReply.Failed("stored record is corrupt"));
                } else {
                    cluster.gateway().write(replica, k, version, reply);
                }
            }
        };
        HintReplayer replayer = new HintReplayer(
                cluster.storage(a),
                refusingOne,
                cluster.scheduler(),
                cluster.clock(),
                cluster.stats(),
                targets(),
                HintReplayer.Limits.DEFAULT,
                1,
                1_000_000_000L,
                1_000_000_000L);

        for (int tick = 0; tick < 4; tick++) {
            replayer.replay();
            cluster.run();
        }

        assertThat(cluster.stored(c, keyNamed("second"))).isPresent();
        assertThat(cluster.stored(c, keyNamed("third"))).isPresent();
        assertThat(cluster.storage(a).hints(c, 0, 10)).singleElement().satisfies(h -> assertThat(h.key())
                .isEqualTo(poisoned.key()));
    }

    @Test
    void aTargetWithItsMostHintsGetsNoMore() {
        StoredHints hints = new StoredHints(cluster.storage(a), cluster.stats(), new HintReplayer.Limits(60_000, 2));
        Versioned version = Versioned.tombstone(VersionVector.of(Map.of(a, 1L)), 1L << 16, a);

        for (int i = 0; i < 3; i++) {
            hints.hint(c, keyNamed("k" + i), version);
        }

        assertThat(cluster.storage(a).hints(c, 0, 10)).hasSize(2);
        assertThat(cluster.stats().hintsDropped.sum()).isEqualTo(1);
    }

    private HintReplayer replayer(NodeId on) {
        return replayer(on, HintReplayer.Limits.DEFAULT, 100);
    }

    private HintReplayer replayer(NodeId on, HintReplayer.Limits limits, int batch) {
        return new HintReplayer(
                cluster.storage(on),
                cluster.gateway(),
                cluster.scheduler(),
                cluster.clock(),
                cluster.stats(),
                targets(),
                limits,
                batch,
                1_000_000_000L,
                1_000_000_000L);
    }

    private HintReplayer.Targets targets() {
        return new HintReplayer.Targets() {
            @Override
            public boolean isUp(NodeId node) {
                return cluster.isUp(node);
            }

            @Override
            public boolean hasLeft(NodeId node) {
                return left.contains(node);
            }
        };
    }

    private static KeyRef keyNamed(String name) {
        return new KeyRef(0, "default", name.getBytes(StandardCharsets.UTF_8));
    }

    private Outcome<Written> write(NodeId coordinator, String json) {
        return write(coordinator, key, json);
    }

    private Outcome<Written> write(NodeId coordinator, KeyRef key, String json) {
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
