package io.dynakv.replication.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import io.dynakv.common.message.Message;
import io.dynakv.replication.message.ReplicaFailure;
import io.dynakv.replication.message.ReplicaMessage;
import io.dynakv.replication.message.ReplicaReadReply;
import io.dynakv.replication.message.ReplicaReadRequest;
import io.dynakv.replication.message.ReplicaWriteReply;
import io.dynakv.replication.message.ReplicaWriteRequest;
import io.dynakv.replication.replica.KeyRef;
import io.dynakv.replication.replica.WriteEffect;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Coordinators reaching remote replicas through request and reply messages (Dynamo paper,
 * section 4.5), with the transport's faults: lost, duplicated and misdirected replies.
 */
class RemoteReplicaGatewayTest {

    private final WireCluster cluster = new WireCluster(3, 3);
    private final NodeId a = cluster.nodes.get(0);
    private final NodeId b = cluster.nodes.get(1);
    private final NodeId c = cluster.nodes.get(2);
    private final KeyRef key = new KeyRef(0, "default", "k".getBytes(StandardCharsets.UTF_8));

    @Test
    void quorumWriteAndReadSucceedOverTheWire() {
        Outcome<Written> written = write(a, "v1", ConsistencyLevel.QUORUM);

        assertThat(written).isInstanceOf(Outcome.Ok.class);
        cluster.run();
        for (NodeId node : cluster.nodes) {
            assertThat(cluster.stored(node, key)).map(this::text).contains("\"v1\"");
        }
        assertThat(read(b, ConsistencyLevel.QUORUM)).isEqualTo(new Outcome.Ok<>(cluster.stored(a, key)));
        assertThat(cluster.messagesSent).isPositive();
        assertThat(cluster.inFlight()).isZero();
    }

    @Test
    void remoteWritesAreAcknowledgedOnlyOnceDurable() {
        cluster.slowDisk.add(b);
        cluster.slowDisk.add(c);
        List<Outcome<Written>> outcomes = new ArrayList<>();

        write(a, "v1", ConsistencyLevel.QUORUM, outcomes::add);

        assertThat(outcomes).isEmpty(); // only a's own ack so far
        assertThat(cluster.stored(b, key)).isPresent(); // applied, just not durable
        assertThat(cluster.gateways.get(a).inFlight()).isEqualTo(2);
        cluster.releaseDisk(b);
        assertThat(outcomes).singleElement().isInstanceOf(Outcome.Ok.class);
        cluster.releaseDisk(c);
        assertThat(cluster.inFlight()).isZero();
    }

    @Test
    void droppedReplyTimesOutAndIsForgotten() {
        cluster.drop = e -> e.from().equals(c) && e.to().equals(a);
        List<Outcome<Written>> outcomes = new ArrayList<>();

        write(a, "v1", ConsistencyLevel.parse("all"), outcomes::add);

        assertThat(outcomes).isEmpty();
        assertThat(cluster.stored(c, key)).isPresent(); // the request arrived; the reply was lost
        assertThat(cluster.gateways.get(a).inFlight()).isEqualTo(1);
        cluster.advanceNanos(WireCluster.TIMEOUT_NANOS);
        assertThat(outcomes).singleElement().isEqualTo(new Outcome.TimedOut<Versioned>(2, 3, 3));
        assertThat(cluster.inFlight()).isZero();
    }

    @Test
    void aQuorumDoesNotWaitForTheLostReplyButTheGatewayStillForgetsIt() {
        cluster.drop = e -> e.to().equals(c); // c is unreachable

        assertThat(write(a, "v1", ConsistencyLevel.QUORUM)).isInstanceOf(Outcome.Ok.class);
        assertThat(cluster.gateways.get(a).inFlight()).isEqualTo(1);

        cluster.advanceNanos(WireCluster.TIMEOUT_NANOS);
        assertThat(cluster.inFlight()).isZero();
    }

    @Test
    void duplicatedMessagesAreIgnored() {
        cluster.duplicate = true;
        List<Outcome<Written>> writes = new ArrayList<>();
        List<Outcome<Optional<Versioned>>> reads = new ArrayList<>();

        write(a, "v1", ConsistencyLevel.parse("all"), writes::add);
        cluster.coordinators.get(b).read(key, ConsistencyLevel.parse("all"), reads::add);
        cluster.run();

        assertThat(writes).singleElement().isInstanceOf(Outcome.Ok.class);
        assertThat(reads).singleElement().isEqualTo(new Outcome.Ok<>(cluster.stored(c, key)));
        // Each duplicated request is served twice and each reply arrives twice: 3 ignored per remote replica.
        assertThat(cluster.repliesIgnored).isEqualTo(2 * 3 + 2 * 3);
        assertThat(cluster.stats.conflicts.sum()).isZero();
        assertThat(cluster.inFlight()).isZero();
    }

    @Test
    void readRepairReachesAStaleRemoteReplica() {
        write(a, "v1", ConsistencyLevel.QUORUM);
        cluster.drop = e -> e.to().equals(c);
        write(a, "v2", ConsistencyLevel.QUORUM);
        cluster.drop = e -> false;
        assertThat(cluster.stored(c, key)).map(this::text).contains("\"v1\"");

        Outcome<Optional<Versioned>> read = read(b, ConsistencyLevel.parse("all"));

        assertThat(read).isEqualTo(new Outcome.Ok<>(cluster.stored(a, key)));
        cluster.run();
        assertThat(cluster.stored(c, key)).map(this::text).contains("\"v2\"");
        assertThat(cluster.stats.readRepairs.sum()).isEqualTo(1);
        cluster.advanceNanos(WireCluster.TIMEOUT_NANOS);
        assertThat(cluster.inFlight()).isZero();
    }

    // The gateway alone, with a transport that records what it sends.

    private final List<Message> sent = new ArrayList<>();
    private final List<Runnable> timers = new ArrayList<>();
    private final Scheduler manualScheduler = (delay, task) -> {
        timers.add(task);
        return () -> timers.remove(task);
    };

    @Test
    void repliesFromTheWrongNodeUnknownIdsAndDuplicatesAreIgnored() {
        RemoteReplicaGateway gateway = gateway(10);
        List<ReplicaReply> replies = new ArrayList<>();
        gateway.read(b, key, replies::add);
        long id = ((ReplicaMessage) sent.get(0)).requestId();
        ReplicaReadReply reply = new ReplicaReadReply(id, Optional.of(version("x")));

        assertThat(gateway.onReply(c, reply)).isFalse();
        assertThat(gateway.onReply(b, new ReplicaReadReply(id + 1, Optional.empty())))
                .isFalse();
        assertThat(gateway.onReply(b, new ReplicaReadRequest(id, key, 0))).isFalse();
        assertThat(replies).isEmpty();
        assertThat(gateway.onReply(b, reply)).isTrue();
        assertThat(gateway.onReply(b, reply)).isFalse();

        assertThat(replies).containsExactly(new ReplicaReply.ReadDone(Optional.of(version("x"))));
        assertThat(gateway.inFlight()).isZero();
        assertThat(timers).isEmpty(); // the expiry was cancelled
    }

    @Test
    void failuresAndMismatchedRepliesEndTheRequest() {
        RemoteReplicaGateway gateway = gateway(10);
        List<ReplicaReply> replies = new ArrayList<>();
        gateway.write(b, key, version("x"), replies::add);
        gateway.write(c, key, version("x"), replies::add);
        long first = ((ReplicaWriteRequest) sent.get(0)).requestId();
        long second = ((ReplicaWriteRequest) sent.get(1)).requestId();

        assertThat(gateway.onReply(b, new ReplicaFailure(first, "disk on fire")))
                .isTrue();
        assertThat(gateway.onReply(c, new ReplicaReadReply(second, Optional.empty())))
                .isTrue();

        assertThat(replies.get(0)).isEqualTo(new ReplicaReply.Failed("disk on fire"));
        assertThat(replies.get(1)).isInstanceOfSatisfying(ReplicaReply.Failed.class, f -> assertThat(f.reason())
                .contains("answered a write with ReplicaReadReply"));
        assertThat(gateway.inFlight()).isZero();
    }

    /** A silent replica fills only its own bound: bench/soak.sh saw every write fail with 503 before. */
    @Test
    void requestsInFlightAreBoundedPerReplicaAndExpire() {
        RemoteReplicaGateway gateway = gateway(2);
        List<ReplicaReply> replies = new ArrayList<>();
        gateway.read(b, key, replies::add);
        gateway.read(b, key, replies::add);

        gateway.read(b, key, replies::add);
        gateway.read(c, key, replies::add); // another replica is not held up by b's silence

        assertThat(sent).hasSize(3);
        assertThat(replies).singleElement().isInstanceOfSatisfying(ReplicaReply.Failed.class, f -> assertThat(
                        f.reason())
                .contains("too many requests in flight to " + b));
        assertThat(gateway.refused()).isEqualTo(1);

        new ArrayList<>(timers).forEach(Runnable::run); // all expire, silently
        assertThat(gateway.inFlight()).isZero();
        assertThat(replies).hasSize(1);
        long expired = ((ReplicaMessage) sent.get(0)).requestId();
        assertThat(gateway.onReply(b, new ReplicaWriteReply(expired, WriteEffect.APPLIED)))
                .isFalse();

        gateway.read(b, key, replies::add);
        gateway.read(b, key, replies::add);
        assertThat(sent).hasSize(5); // expiry gave b's bound back
    }

    @Test
    void aReplyGivesItsReplicasBoundBack() {
        RemoteReplicaGateway gateway = gateway(1);
        List<ReplicaReply> replies = new ArrayList<>();
        gateway.read(b, key, replies::add);
        long id = ((ReplicaMessage) sent.get(0)).requestId();
        assertThat(gateway.onReply(b, new ReplicaReadReply(id, Optional.empty())))
                .isTrue();

        gateway.read(b, key, replies::add);

        assertThat(sent).hasSize(2);
        assertThat(gateway.refused()).isZero();
    }

    @Test
    void requestIdsNameTheirEventLoopAndAreNeverReused() {
        RemoteReplicaGateway gateway = new RemoteReplicaGateway((to, m) -> sent.add(m), manualScheduler, 3, 1, 10);
        gateway.read(b, key, r -> {});
        gateway.read(b, key, r -> {});

        long first = ((ReplicaMessage) sent.get(0)).requestId();
        long second = ((ReplicaMessage) sent.get(1)).requestId();
        assertThat(RemoteReplicaGateway.loopIndexOf(first)).isEqualTo(3);
        assertThat(RemoteReplicaGateway.loopIndexOf(second)).isEqualTo(3);
        assertThat(first).isNotEqualTo(second);
        assertThatThrownBy(() -> new RemoteReplicaGateway((to, m) -> sent.add(m), manualScheduler, 65536, 1, 10))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private RemoteReplicaGateway gateway(int maxInFlight) {
        return new RemoteReplicaGateway(
                (to, message) -> sent.add(message), manualScheduler, 0, WireCluster.TIMEOUT_NANOS, maxInFlight);
    }

    private static Versioned version(String json) {
        return new Versioned(
                VersionVector.of(Map.of(new NodeId(1), 1L)),
                5,
                new NodeId(1),
                ValueKind.JSON,
                json.getBytes(StandardCharsets.UTF_8));
    }

    private Outcome<Written> write(NodeId coordinator, String value, ConsistencyLevel w) {
        List<Outcome<Written>> out = new ArrayList<>();
        write(coordinator, value, w, out::add);
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private void write(
            NodeId coordinator, String value, ConsistencyLevel w, java.util.function.Consumer<Outcome<Written>> done) {
        byte[] json = ("\"" + value + "\"").getBytes(StandardCharsets.UTF_8);
        cluster.coordinators
                .get(coordinator)
                .write(new WriteRequest(key, ValueKind.JSON, json, Optional.empty(), w), done);
        cluster.run();
    }

    private Outcome<Optional<Versioned>> read(NodeId coordinator, ConsistencyLevel r) {
        List<Outcome<Optional<Versioned>>> out = new ArrayList<>();
        cluster.coordinators.get(coordinator).read(key, r, out::add);
        cluster.run();
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private String text(Versioned v) {
        return new String(v.value(), StandardCharsets.UTF_8);
    }
}
