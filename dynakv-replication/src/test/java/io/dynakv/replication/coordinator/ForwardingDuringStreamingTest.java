package io.dynakv.replication.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.Versioned;
import io.dynakv.replication.replica.KeyRef;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Writes forwarded while replicas stream a partition in (a node joining: Dynamo section 4.9). A
 * replica still streaming cannot read its own copy, so it cannot mint the next version; it says so
 * without minting anything, and the forwarder tries the next replica, so the write does not fail.
 * Four nodes, N = 3 (W = 2), so one node is outside each preference list and forwards.
 */
class ForwardingDuringStreamingTest {

    private final WireCluster cluster = new WireCluster(4, 3);

    private static WriteRequest put(KeyRef key, String json) {
        return new WriteRequest(
                key, ValueKind.JSON, json.getBytes(StandardCharsets.UTF_8), Optional.empty(), ConsistencyLevel.QUORUM);
    }

    /** A key whose preference list (the static ring's) leaves one of the four nodes out. */
    private KeyRef key() {
        return new KeyRef(0, "t", "k".getBytes(StandardCharsets.UTF_8));
    }

    private List<NodeId> replicas(KeyRef key) {
        return cluster.ring.preferenceList(key.partition());
    }

    private Outcome<Written> write(NodeId through, WriteRequest request) {
        List<Outcome<Written>> outcomes = new ArrayList<>();
        cluster.coordinators.get(through).write(request, outcomes::add);
        cluster.run();
        assertThat(outcomes).hasSize(1);
        return outcomes.get(0);
    }

    @Test
    void writeForwardedToAStreamingReplicaGoesToACompleteOne() {
        KeyRef key = key();
        List<NodeId> replicas = replicas(key);
        NodeId outsider = cluster.nodes.stream()
                .filter(n -> !replicas.contains(n))
                .findFirst()
                .orElseThrow();
        NodeId first = replicas.get(0); // where every forwarder sends first
        cluster.streaming.add(first);

        Outcome<Written> outcome = write(outsider, put(key, "1"));

        assertThat(outcome).isInstanceOf(Outcome.Ok.class);
        Versioned version = ((Outcome.Ok<Written>) outcome).value().version();
        for (NodeId replica : replicas) {
            assertThat(cluster.stored(replica, key)).as("replica %s", replica).contains(version);
        }
    }

    @Test
    void aWriteCoordinatedAtAStreamingReplicaSkipsAnotherStreamingOne() {
        KeyRef key = key();
        List<NodeId> replicas = replicas(key);
        cluster.streaming.add(replicas.get(0));
        cluster.streaming.add(replicas.get(1));

        Outcome<Written> outcome = write(replicas.get(0), put(key, "1"));

        assertThat(outcome).isInstanceOf(Outcome.Ok.class);
        assertThat(cluster.stored(replicas.get(2), key))
                .contains(((Outcome.Ok<Written>) outcome).value().version());
    }

    @Test
    void whenEveryReplicaIsStreamingTheWriteFailsWithoutAVersion() {
        KeyRef key = key();
        List<NodeId> replicas = replicas(key);
        NodeId outsider = cluster.nodes.stream()
                .filter(n -> !replicas.contains(n))
                .findFirst()
                .orElseThrow();
        cluster.streaming.addAll(replicas);
        int before = cluster.messagesSent;

        Outcome<Written> outcome = write(outsider, put(key, "1"));

        assertThat(outcome).isInstanceOf(Outcome.Unavailable.class);
        for (NodeId replica : replicas) {
            assertThat(cluster.stored(replica, key)).isEmpty();
        }
        // One forward to each replica and its refusal: no bouncing.
        assertThat(cluster.messagesSent - before).isEqualTo(2 * replicas.size());
    }
}
