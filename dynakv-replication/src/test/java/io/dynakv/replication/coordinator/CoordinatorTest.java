package io.dynakv.replication.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.CausalContext;
import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.Versioned;
import io.dynakv.replication.replica.KeyRef;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Quorum writes and reads over three replicas (Dynamo paper, section 4.5), with replica faults. */
class CoordinatorTest {

    private final TestCluster cluster = new TestCluster(3, 3);
    private final NodeId a = cluster.nodes.get(0);
    private final NodeId b = cluster.nodes.get(1);
    private final NodeId c = cluster.nodes.get(2);
    private final KeyRef key = new KeyRef(0, "default", bytes("k"));

    @Test
    void writeReachesEveryReplicaAndSucceedsAtQuorum() {
        Outcome<Written> outcome = write(a, "v1", Optional.empty(), ConsistencyLevel.QUORUM);

        assertThat(outcome).isInstanceOf(Outcome.Ok.class);
        for (NodeId node : cluster.nodes) {
            assertThat(cluster.stored(node, key)).map(v -> text(v)).contains("\"v1\"");
        }
    }

    @Test
    void writeSucceedsWithOneReplicaDownButAllFailsByTimeout() {
        cluster.down.add(c);

        assertThat(write(a, "v1", Optional.empty(), ConsistencyLevel.QUORUM)).isInstanceOf(Outcome.Ok.class);

        List<Outcome<Written>> all = new ArrayList<>();
        write(a, "v2", ConsistencyLevel.parse("all"), all::add);
        assertThat(all).isEmpty(); // waits for the down replica...
        cluster.advanceMillis(TestCluster.TIMEOUT_NANOS / 1_000_000 + 1);
        assertThat(all).singleElement().isEqualTo(new Outcome.TimedOut<Versioned>(2, 3, 3));
    }

    @Test
    void wAllWithAKnownDownReplicaAnswers503AtOnce() {
        cluster.down.add(c);
        cluster.knownDown.add(c);

        List<Outcome<Written>> all = new ArrayList<>();
        write(a, "v1", ConsistencyLevel.parse("all"), all::add);

        assertThat(all)
                .as("answered without waiting for the timeout")
                .singleElement()
                .isInstanceOfSatisfying(Outcome.Unavailable.class, u -> {
                    assertThat(u.required()).isEqualTo(3);
                    assertThat(u.reason()).contains("only 2 of the key's 3 replicas are up", "nothing was written");
                });
        for (NodeId node : cluster.nodes) {
            assertThat(cluster.stored(node, key)).as("written on %s", node).isEmpty();
        }
        assertThat(write(a, "v2", Optional.empty(), ConsistencyLevel.QUORUM))
                .as("a quorum is still reachable")
                .isInstanceOf(Outcome.Ok.class);
    }

    @Test
    void writeIsUnavailableOnceTheQuorumIsOutOfReach() {
        cluster.failing.add(b);
        cluster.failing.add(c);

        Outcome<Written> outcome = write(a, "v1", Optional.empty(), ConsistencyLevel.QUORUM);

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Unavailable.class, u -> {
            assertThat(u.answered()).isEqualTo(1);
            assertThat(u.required()).isEqualTo(2);
            assertThat(u.reason()).contains("disk on fire");
        });
    }

    @Test
    void readReturnsTheNewestAndRepairsStaleReplicas() {
        write(a, "v1", Optional.empty(), ConsistencyLevel.QUORUM);
        cluster.down.add(c);
        write(a, "v2", Optional.empty(), ConsistencyLevel.QUORUM);
        cluster.down.clear();
        assertThat(cluster.stored(c, key)).map(this::text).contains("\"v1\"");

        Outcome<Optional<Versioned>> read = read(c, ConsistencyLevel.parse("all"));

        assertThat(read).isInstanceOfSatisfying(Outcome.Ok.class, ok -> assertThat(
                        ((Optional<?>) ok.value()).map(v -> text((Versioned) v)))
                .contains("\"v2\""));
        cluster.run();
        assertThat(cluster.stored(c, key)).map(this::text).contains("\"v2\"");
        assertThat(cluster.stats.readRepairs.sum()).isEqualTo(1);
    }

    /**
     * Issue 9 item 2: a replica holds other contents under the same clock (the tombstone that
     * deleted the value the others hold, left by a successor stamped below its cause). A read must
     * see it as stale and leave every replica with the same record, whichever replica it asked first.
     */
    @Test
    void aReadRepairsAReplicaHoldingOtherContentsUnderTheSameClock() {
        Versioned v1 = ok(write(a, "v1", Optional.empty(), ConsistencyLevel.QUORUM));
        Versioned diverged = Versioned.tombstone(v1.clock(), v1.hlc() + 1, v1.writer());
        cluster.storage.get(c).put(key.partition(), key.table(), key.key(), diverged);

        read(a, ConsistencyLevel.parse("all"));
        cluster.run();

        for (NodeId node : cluster.nodes) {
            assertThat(cluster.stored(node, key)).as("on %s", node).contains(diverged);
        }
        assertThat(cluster.stats.readRepairs.sum()).isEqualTo(2);
        assertThat(cluster.stats.divergedVersions.sum()).isEqualTo(2);
    }

    @Test
    void readOfMissingKeyIsEmptyNotAnError() {
        assertThat(read(b, ConsistencyLevel.QUORUM)).isEqualTo(new Outcome.Ok<>(Optional.empty()));
    }

    @Test
    void writeWithContextSupersedesWhatWasRead() {
        Versioned first = ok(write(a, "v1", Optional.empty(), ConsistencyLevel.QUORUM));
        Versioned second = ok(write(b, "v2", Optional.of(CausalContext.of(first)), ConsistencyLevel.QUORUM));

        assertThat(second.clock().descends(first.clock())).isTrue();
        assertThat(cluster.stats.conflicts.sum()).isZero();
    }

    @Test
    void concurrentWritesAreDetectedCountedAndResolvedTheSameEverywhere() {
        Versioned base = ok(write(a, "v0", Optional.empty(), ConsistencyLevel.QUORUM));
        CausalContext context = CausalContext.of(base);
        // Two clients read v0, then write through different coordinators, reaching replicas in
        // different orders: b's write is held back from a, a's from c.
        cluster.slow.add(c);
        write(a, "from-a", Optional.of(context), ConsistencyLevel.parse("one"));
        cluster.slow.clear();
        cluster.slow.add(a);
        write(b, "from-b", Optional.of(context), ConsistencyLevel.parse("one"));
        cluster.slow.clear();
        cluster.deliverHeld();

        assertThat(cluster.stats.conflicts.sum()).isPositive();
        Versioned onA = cluster.stored(a, key).orElseThrow();
        assertThat(cluster.stored(b, key)).contains(onA);
        assertThat(cluster.stored(c, key)).contains(onA);
    }

    @Test
    void deleteWritesATombstoneThatWinsOverWhatItDeleted() {
        Versioned put = ok(write(a, "v1", Optional.empty(), ConsistencyLevel.QUORUM));
        List<Outcome<Written>> deleted = new ArrayList<>();
        cluster.coordinators
                .get(b)
                .write(
                        new WriteRequest(
                                key,
                                ValueKind.TOMBSTONE,
                                new byte[0],
                                Optional.of(CausalContext.of(put)),
                                ConsistencyLevel.QUORUM),
                        deleted::add);
        cluster.run();

        Outcome<Optional<Versioned>> read = read(c, ConsistencyLevel.parse("all"));
        assertThat(read).isInstanceOfSatisfying(Outcome.Ok.class, ok -> assertThat(
                        ((Optional<Versioned>) ok.value()).orElseThrow().isTombstone())
                .isTrue());
    }

    private Outcome<Written> write(
            NodeId coordinator, String json, Optional<CausalContext> context, ConsistencyLevel w) {
        List<Outcome<Written>> out = new ArrayList<>();
        cluster.coordinators
                .get(coordinator)
                .write(new WriteRequest(key, ValueKind.JSON, bytes('"' + json + '"'), context, w), out::add);
        cluster.run();
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private void write(
            NodeId coordinator, String json, ConsistencyLevel w, java.util.function.Consumer<Outcome<Written>> done) {
        cluster.coordinators
                .get(coordinator)
                .write(new WriteRequest(key, ValueKind.JSON, bytes('"' + json + '"'), Optional.empty(), w), done);
        cluster.run();
    }

    @Test
    void aReadAsksOnlyRReplicasItselfFirstWhenTheyAnswer() {
        write(a, "v1", Optional.empty(), ConsistencyLevel.QUORUM);
        cluster.readsAsked.clear();

        assertThat(read(b, ConsistencyLevel.QUORUM)).isInstanceOf(Outcome.Ok.class);

        assertThat(cluster.readsAsked).containsExactly(b, a);
    }

    @Test
    void aReplicaThatFailsAReadIsReplacedAtOnce() {
        write(a, "v1", Optional.empty(), ConsistencyLevel.QUORUM);
        cluster.failing.add(b);
        cluster.readsAsked.clear();

        assertThat(read(a, ConsistencyLevel.QUORUM)).isInstanceOf(Outcome.Ok.class);

        assertThat(cluster.readsAsked).containsExactly(a, b, c);
    }

    @Test
    void aSilentReplicaIsBackedUpByTheOthersAfterTheSpeculativeDelay() {
        write(a, "v1", Optional.empty(), ConsistencyLevel.QUORUM);
        cluster.down.add(b);
        cluster.readsAsked.clear();
        List<Outcome<Optional<Versioned>>> out = new ArrayList<>();

        cluster.coordinators.get(a).read(key, ConsistencyLevel.QUORUM, out::add);
        cluster.run();
        assertThat(out).as("waits for b before asking c").isEmpty();
        cluster.advanceMillis(TestCluster.TIMEOUT_NANOS / Coordinator.SPECULATIVE_READ_DIVISOR / 1_000_000 + 1);

        assertThat(out).singleElement().isInstanceOf(Outcome.Ok.class);
        assertThat(cluster.readsAsked).containsExactly(a, b, c);
    }

    private Outcome<Optional<Versioned>> read(NodeId coordinator, ConsistencyLevel r) {
        List<Outcome<Optional<Versioned>>> out = new ArrayList<>();
        cluster.coordinators.get(coordinator).read(key, r, out::add);
        cluster.run();
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private static Versioned ok(Outcome<Written> outcome) {
        assertThat(outcome).isInstanceOf(Outcome.Ok.class);
        return ((Outcome.Ok<Written>) outcome).value().version();
    }

    private String text(Versioned v) {
        return new String(v.value(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
