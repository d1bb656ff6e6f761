package io.dynakv.replication.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.cluster.ring.StaticRing;
import io.dynakv.common.HlcClock;
import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import io.dynakv.replication.handoff.HintReplayer;
import io.dynakv.replication.handoff.StoredHints;
import io.dynakv.replication.replica.KeyRef;
import io.dynakv.storage.StorageFullException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 9 item 1 (and item 3's dot counter): a coordinator whose own copy of a key lags behind the
 * other replicas (its disk refuses writes, its tombstone was purged) still mints versions that no
 * replica already holds, so every acknowledged write is what the cluster keeps.
 */
class LaggingCoordinatorTest {

    private final TestCluster cluster = new TestCluster(3, 3);
    private final NodeId a = cluster.nodes.get(0);
    private final NodeId b = cluster.nodes.get(1);
    private final NodeId c = cluster.nodes.get(2);
    private final KeyRef key = new KeyRef(0, "default", "k".getBytes(StandardCharsets.UTF_8));

    /**
     * Found as a new operator would: PUT one, two, three through the node whose disk is full all
     * answered 201, then a read with r=all through another node returned "one"; a DELETE through
     * it answered 200 and deleted nothing. Its dots came from what it stored, which was nothing.
     */
    @Test
    void everyWriteAcknowledgedThroughACoordinatorWithAFullDiskIsWhatTheClusterKeeps() {
        cluster.fullDisk.add(c);
        for (String value : List.of("one", "two", "three")) {
            assertThat(write(c, ValueKind.JSON, '"' + value + '"')).isInstanceOf(Outcome.Ok.class);
            assertThat(readAll(a).map(LaggingCoordinatorTest::text))
                    .as("after PUT %s", value)
                    .contains('"' + value + '"');
        }
        assertThat(write(c, ValueKind.TOMBSTONE, "")).isInstanceOf(Outcome.Ok.class);
        assertThat(readAll(a))
                .hasValueSatisfying(v -> assertThat(v.isTombstone()).isTrue());
        assertThat(cluster.stored(a, key))
                .hasValueSatisfying(v -> assertThat(v.isTombstone()).isTrue());
        assertThat(cluster.stored(b, key))
                .hasValueSatisfying(v -> assertThat(v.isTombstone()).isTrue());
    }

    /**
     * Purging a tombstone on one replica emptied its copy of the key; re-creating the key through
     * that replica minted the dot the tombstone already held on the others, which acknowledged the
     * write as already known and kept the tombstone (anti-entropy then deleted the new value).
     */
    @Test
    void aKeyRecreatedThroughTheReplicaThatPurgedItsTombstoneIsKept() {
        assertThat(write(a, ValueKind.JSON, "\"first\"")).isInstanceOf(Outcome.Ok.class);
        assertThat(write(a, ValueKind.TOMBSTONE, "")).isInstanceOf(Outcome.Ok.class);
        cluster.storage.get(a).remove(key.partition(), key.table(), key.key()); // the reaper, on a only

        assertThat(write(a, ValueKind.JSON, "\"again\"")).isInstanceOf(Outcome.Ok.class);

        assertThat(readAll(b).map(LaggingCoordinatorTest::text)).contains("\"again\"");
        for (NodeId node : cluster.nodes) {
            assertThat(cluster.stored(node, key).map(LaggingCoordinatorTest::text))
                    .as("on %s", node)
                    .contains("\"again\"");
        }
    }

    /**
     * Issue 9 item 5: a key written through a crash-looping node had one vector entry per boot,
     * and at 1,024 entries encoding failed, so the key could no longer be written at all.
     */
    @Test
    void aKeyWhoseVectorReachedItsBoundStillTakesWrites() {
        Map<NodeId, Long> perBoot = new HashMap<>();
        for (long boot = 1; boot <= VersionVector.MAX_ENTRIES; boot++) {
            perBoot.put(new NodeId(1000 + boot), boot);
        }
        Versioned old = new Versioned(
                VersionVector.of(perBoot),
                1,
                new NodeId(1001),
                ValueKind.JSON,
                "\"old\"".getBytes(StandardCharsets.UTF_8));
        for (NodeId node : cluster.nodes) {
            cluster.storage.get(node).put(key.partition(), key.table(), key.key(), old);
        }

        assertThat(write(a, ValueKind.JSON, "\"new\"")).isInstanceOf(Outcome.Ok.class);

        assertThat(readAll(b).map(LaggingCoordinatorTest::text)).contains("\"new\"");
        for (NodeId node : cluster.nodes) {
            assertThat(cluster.stored(node, key).map(LaggingCoordinatorTest::text))
                    .as("on %s", node)
                    .contains("\"new\"");
        }
    }

    /** No dot left and none to lease (a full disk): another replica coordinates the write. */
    @Test
    void aCoordinatorWithNoDotLeftForwardsTheWriteToAnotherReplica() {
        cluster.coordinators.put(c, coordinatorWithoutDots(c));

        Outcome<Written> outcome = write(c, ValueKind.JSON, "\"forwarded\"");

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Ok.class, ok -> assertThat(
                        ((Written) ok.value()).version().writer())
                .isNotEqualTo(c));
        assertThat(readAll(a).map(LaggingCoordinatorTest::text)).contains("\"forwarded\"");
    }

    /** ... and with no other replica to mint it, the client hears the disk is full (507), not success. */
    @Test
    void aLoneCoordinatorWithNoDotLeftAnswersThatItsDiskIsFull() {
        TestCluster single = new TestCluster(1, 1);
        NodeId only = single.nodes.get(0);
        Coordinator coordinator = new Coordinator(
                only,
                exhaustedLease(only),
                () -> new StaticRing(single.nodes, 1),
                single.gateway,
                new HlcClock(new VirtualTime()),
                single.scheduler,
                TestCluster.TIMEOUT_NANOS,
                single.stats,
                HintSink.NONE);
        List<Outcome<Written>> out = new ArrayList<>();
        coordinator.write(request(ValueKind.JSON, "\"x\""), out::add);
        single.run();

        assertThat(out).singleElement().isInstanceOfSatisfying(Outcome.Unavailable.class, u -> {
            assertThat(u.storageFull()).isTrue();
            assertThat(u.reason()).contains("full");
        });
    }

    private Coordinator coordinatorWithoutDots(NodeId node) {
        return new Coordinator(
                node,
                exhaustedLease(node),
                () -> new StaticRing(cluster.nodes, 3),
                cluster.gateway,
                new HlcClock(new VirtualTime()),
                cluster.scheduler,
                TestCluster.TIMEOUT_NANOS,
                cluster.stats,
                new StoredHints(cluster.storage.get(node), cluster.stats, HintReplayer.Limits.DEFAULT));
    }

    /** A lease with every dot used and a disk that refuses to record another. */
    private static DotLease exhaustedLease(NodeId actor) {
        return new DotLease(
                actor,
                10,
                10,
                8,
                (name, value, onDurable, onFailed) ->
                        onFailed.accept(new StorageFullException("the disk of " + actor + " is full")));
    }

    private Outcome<Written> write(NodeId coordinator, ValueKind kind, String value) {
        List<Outcome<Written>> out = new ArrayList<>();
        cluster.coordinators.get(coordinator).write(request(kind, value), out::add);
        cluster.run();
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private WriteRequest request(ValueKind kind, String value) {
        return new WriteRequest(
                key, kind, value.getBytes(StandardCharsets.UTF_8), Optional.empty(), ConsistencyLevel.QUORUM);
    }

    @SuppressWarnings("unchecked")
    private Optional<Versioned> readAll(NodeId via) {
        List<Outcome<Optional<Versioned>>> out = new ArrayList<>();
        cluster.coordinators.get(via).read(key, ConsistencyLevel.parse("all"), out::add);
        cluster.run();
        assertThat(out).singleElement().isInstanceOf(Outcome.Ok.class);
        return ((Outcome.Ok<Optional<Versioned>>) out.get(0)).value();
    }

    private static String text(Versioned v) {
        return new String(v.value(), StandardCharsets.UTF_8);
    }
}
