package io.dynakv.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.cluster.membership.MembershipTransport;
import io.dynakv.cluster.membership.Ping;
import io.dynakv.cluster.membership.SwimConfig;
import io.dynakv.cluster.membership.SwimMembership;
import io.dynakv.cluster.ring.PartitionTable;
import io.dynakv.cluster.ring.RingManager;
import io.dynakv.cluster.ring.RingUpdate;
import io.dynakv.cluster.ring.Transfer;
import io.dynakv.common.Clock;
import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.common.message.Message;
import io.dynakv.common.message.Transport;
import io.dynakv.node.ShardRouters;
import io.dynakv.replication.message.ReplicaFailure;
import io.dynakv.replication.message.ReplicaReadReply;
import io.dynakv.replication.message.ReplicaReadRequest;
import io.dynakv.replication.message.ReplicaWriteRequest;
import io.dynakv.replication.rebalance.StreamRequest;
import io.dynakv.replication.replica.KeyRef;
import io.dynakv.storage.InMemoryStorageEngine;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Where peer messages go, checked without a network: the control loop is a Context that records
 * what is posted to it, the transport records what is sent, and no shard is registered (as while
 * the node starts), so messages for a shard are dropped.
 */
class MessageRouterTest {

    private static final int LOOPS = 2;
    private static final int PARTITIONS = 8;
    private static final int STREAMING = 3;
    private static final int COMPLETE = 4;
    private static final NodeId SELF = new NodeId(0x51L);
    private static final NodeId PEER = new NodeId(0x52L);
    private static final NodeId OTHER = new NodeId(0x53L);

    private final List<String> controlLoopCalls = new ArrayList<>();
    private final List<Object[]> sent = new ArrayList<>();
    private final Transport transport = (to, message) -> sent.add(new Object[] {to, message});
    private final InMemoryStorageEngine storage = new InMemoryStorageEngine();
    private final ClusterMeta meta = new ClusterMeta(storage, Runnable::run);
    private final MessageRouter router =
            new MessageRouter(ShardRouters.unstarted(LOOPS), recordingContext(), recordingContext());

    /** A Context that records every call and runs what is posted to it at once. */
    @SuppressWarnings("unchecked")
    private Context recordingContext() {
        return (Context) Proxy.newProxyInstance(
                Context.class.getClassLoader(), new Class<?>[] {Context.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "toString":
                            return "recording context";
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        default:
                            break;
                    }
                    controlLoopCalls.add(method.getName());
                    if (method.getName().equals("runOnContext")) {
                        ((Handler<Void>) args[0]).handle(null);
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private ClusterControl control() {
        MembershipTransport membership = new MembershipTransport() {
            @Override
            public void send(NodeId to, Message message) {
                sent.add(new Object[] {to, message});
            }

            @Override
            public void sendToAddress(String address, Message message) {}
        };
        Scheduler scheduler = (delayNanos, task) -> () -> {};
        Clock clock = new Clock() {
            @Override
            public long nowNanos() {
                return 0;
            }

            @Override
            public long wallMillis() {
                return 0;
            }
        };
        SwimMembership swim = new SwimMembership(
                SELF,
                "127.0.0.1:1|127.0.0.1:2",
                membership,
                scheduler,
                clock,
                new SplittableRandom(1),
                SwimConfig.defaults());
        return new ClusterControl(
                swim,
                RingManager.founder(SELF, PARTITIONS, 3),
                membership,
                meta,
                scheduler,
                new SplittableRandom(2),
                1_000_000_000L);
    }

    /** A rebalancer whose metadata says partition STREAMING is still streaming in. */
    private Rebalancer rebalancer() {
        meta.saveStreaming(List.of(new Transfer(STREAMING, List.of(PEER), SELF)));
        Rebalancer rebalancer = new Rebalancer(
                SELF,
                ShardRouters.unstarted(LOOPS),
                meta,
                storage,
                transport,
                Runnable::run,
                PARTITIONS,
                PartitionTable.initial(SELF, PARTITIONS, 3));
        assertThat(rebalancer.isIncomplete(STREAMING)).isTrue();
        assertThat(rebalancer.isIncomplete(COMPLETE)).isFalse();
        return rebalancer;
    }

    private static KeyRef key(int partition) {
        return new KeyRef(partition, "default", "k".getBytes(StandardCharsets.UTF_8));
    }

    private List<Message> messages() {
        return sent.stream().map(s -> (Message) s[1]).toList();
    }

    @Test
    void beforeAttachEveryMessageIsDropped() {
        router.onMessage(PEER, new Ping(1, List.of()));
        router.onMessage(PEER, new RingUpdate(PartitionTable.initial(PEER, PARTITIONS, 3)));
        router.onMessage(PEER, new ReplicaReadRequest(7, key(STREAMING), 0));
        router.onMessage(PEER, new ReplicaReadReply(8, Optional.empty()));

        assertThat(controlLoopCalls).isEmpty();
        assertThat(sent).isEmpty();
    }

    @Test
    void afterAttachMembershipAndRingMessagesGoToTheControlLoop() {
        router.attach(control(), null, rebalancer(), transport);

        router.onMessage(PEER, new Ping(1, List.of()));
        router.onMessage(PEER, new RingUpdate(PartitionTable.initial(PEER, PARTITIONS, 3)));

        assertThat(controlLoopCalls).containsExactly("runOnContext", "runOnContext");
    }

    @Test
    void aReadOfAPartitionStillStreamingInIsRefusedAtOnce() {
        router.attach(control(), null, rebalancer(), transport);

        router.onMessage(PEER, new ReplicaReadRequest(7, key(STREAMING), 0));

        assertThat(sent).hasSize(1);
        assertThat(sent.get(0)[0]).isEqualTo(PEER);
        assertThat(sent.get(0)[1]).isEqualTo(new ReplicaFailure(7, IncompleteReadsRefused.reason(STREAMING)));
    }

    @Test
    void replicaWithALaggingRingDoesNotAnswerReadsFromAnEmptyCopy() {
        ClusterControl control = control();
        router.attach(control, null, rebalancer(), transport);
        PartitionTable mine = control.view().table();
        long newer = mine.epoch() + 1;

        // The coordinator's newer ring may give this node COMPLETE, which it has never streamed.
        router.onMessage(PEER, new ReplicaReadRequest(7, key(COMPLETE), newer));

        assertThat(sent).allSatisfy(s -> assertThat(s[0]).isEqualTo(PEER));
        assertThat(messages()).hasSize(2);
        ReplicaFailure refused = (ReplicaFailure) messages().stream()
                .filter(m -> m instanceof ReplicaFailure)
                .findFirst()
                .orElseThrow();
        assertThat(refused.requestId()).isEqualTo(7);
        assertThat(refused.reason()).contains("older than the coordinator's");
        // It asks for the newer table: the coordinator answers a stale table with its own.
        assertThat(messages()).contains(new RingUpdate(mine));

        // Asked once per pair of epochs, not once per request.
        router.onMessage(PEER, new ReplicaReadRequest(8, key(COMPLETE), newer));
        assertThat(messages()).hasSize(3).last().isInstanceOf(ReplicaFailure.class);
    }

    @Test
    void aReplicaTheNewerRingTookThePartitionFromDoesNotAnswerAnOlderCoordinator() {
        PartitionTable older = PartitionTable.initial(Set.of(PEER, OTHER), PARTITIONS, 1);
        PartitionTable mine = older.rebalance(Set.of(SELF, PEER, OTHER));
        int moved = IntStream.range(0, PARTITIONS)
                .filter(p -> p != STREAMING && !mine.holds(SELF, p))
                .findFirst()
                .orElseThrow();
        int held = IntStream.of(mine.partitionsOf(SELF))
                .filter(p -> p != STREAMING)
                .findFirst()
                .orElseThrow();
        ClusterControl control = control();
        control.onMessage(PEER, new RingUpdate(older));
        control.onMessage(PEER, new RingUpdate(mine));
        assertThat(control.view().table()).isEqualTo(mine);
        router.attach(control, null, rebalancer(), transport);
        sent.clear();

        router.onMessage(PEER, new ReplicaReadRequest(7, key(moved), older.epoch()));
        router.onMessage(PEER, new ReplicaReadRequest(8, key(held), older.epoch()));

        assertThat(messages())
                .filteredOn(m -> m instanceof ReplicaFailure)
                .singleElement()
                .satisfies(m -> {
                    assertThat(((ReplicaFailure) m).requestId()).isEqualTo(7);
                    assertThat(((ReplicaFailure) m).reason()).contains("moved away");
                });
        assertThat(messages()).contains(new RingUpdate(mine)); // the coordinator learns the newer ring
    }

    @Test
    void aWriteUnderANewerRingIsTakenAndTheTablesAreSwapped() {
        ClusterControl control = control();
        router.attach(control, null, rebalancer(), transport);
        PartitionTable mine = control.view().table();

        // Taken (no shard runs here, so it is dropped, not refused); the table goes out once.
        router.onMessage(PEER, new ReplicaWriteRequest(8, key(COMPLETE), null, mine.epoch() + 1));
        router.onMessage(PEER, new ReplicaWriteRequest(9, key(COMPLETE), null, mine.epoch() + 1));

        assertThat(messages()).containsExactly(new RingUpdate(mine));
    }

    @Test
    void writesAndCompletePartitionsAreNotRefused() {
        router.attach(control(), null, rebalancer(), transport);

        // For a shard: none runs yet, so they are dropped (lost), and nothing is answered.
        router.onMessage(PEER, new ReplicaReadRequest(7, key(COMPLETE), 0));
        router.onMessage(PEER, new ReplicaWriteRequest(8, key(STREAMING), null, 0));
        router.onMessage(PEER, new StreamRequest(9, COMPLETE, "", new byte[0], 1024));

        assertThat(messages()).isEmpty();
        assertThat(controlLoopCalls).isEmpty();
    }

    @Test
    void aStreamRequestForAPartitionStillStreamingInGoesUnanswered() {
        router.attach(control(), null, rebalancer(), transport);

        router.onMessage(PEER, new StreamRequest(9, STREAMING, "", new byte[0], 1024));

        assertThat(messages()).isEmpty();
        assertThat(controlLoopCalls).isEmpty();
    }

    @Test
    void aReplyForTheControlLoopWithoutItsGatewayIsDropped() {
        router.attach(control(), null, rebalancer(), transport);

        // The top 16 bits of a request id name the loop; LOOPS is the control loop's index.
        router.onMessage(PEER, new ReplicaReadReply((long) LOOPS << 48, Optional.empty()));
        router.onMessage(PEER, new ReplicaReadReply(0L, Optional.empty()));

        assertThat(controlLoopCalls).isEmpty();
        assertThat(sent).isEmpty();
    }
}
