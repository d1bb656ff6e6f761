package io.dynakv.replication.coordinator;

import io.dynakv.cluster.ring.StaticRing;
import io.dynakv.common.HlcClock;
import io.dynakv.common.NodeId;
import io.dynakv.common.Versioned;
import io.dynakv.common.codec.FrameDecoder;
import io.dynakv.common.codec.MessageCodec;
import io.dynakv.common.message.Message;
import io.dynakv.common.message.Transport;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.replication.message.ForwardWriteRequest;
import io.dynakv.replication.message.ReplicaFailure;
import io.dynakv.replication.message.ReplicaReadRequest;
import io.dynakv.replication.message.ReplicationCodecs;
import io.dynakv.replication.replica.Durability;
import io.dynakv.replication.replica.KeyRef;
import io.dynakv.replication.replica.Replica;
import io.dynakv.storage.InMemoryStorageEngine;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Nodes whose coordinators reach each other's replicas the production way: a
 * {@link RoutingReplicaGateway} (own replica directly, others through a
 * {@link RemoteReplicaGateway}), a {@link ReplicaServer} on every node, and an in-memory transport
 * that carries real frames ({@link MessageCodec} and {@link FrameDecoder}, each frame cut in two
 * chunks). Fault model: a message matching {@link #drop} is lost; with {@link #duplicate} every
 * message is delivered twice; otherwise delivery is in send order on {@link #run()}. A node in
 * {@link #slowDisk} holds its durability callbacks until {@link #releaseDisk}. A node in {@link
 * #streaming} is still streaming every partition in: it refuses reads, its own coordinator's
 * and other nodes', as a node's {@code IncompleteReadsRefused} and message router do, and takes
 * writes. Forwarded writes are served. Time is virtual.
 * Public for the HTTP API's tests of operations built on the coordinator (PATCH).
 */
public final class WireCluster {

    static final long TIMEOUT_NANOS = 1_000_000_000L;

    record Envelope(NodeId from, NodeId to, Message message) {}

    private record Delivery(NodeId from, NodeId to, byte[] frame) {}

    final List<NodeId> nodes = new ArrayList<>();
    final StaticRing ring;
    final Map<NodeId, InMemoryStorageEngine> storage = new HashMap<>();
    final Map<NodeId, Coordinator> coordinators = new HashMap<>();
    final Map<NodeId, RemoteReplicaGateway> gateways = new HashMap<>();
    final Map<NodeId, ReplicaServer> servers = new HashMap<>();
    final ReplicationStats stats = new ReplicationStats();
    final MessageCodec codec = ReplicationCodecs.register(new MessageCodec());
    final Set<NodeId> slowDisk = new HashSet<>();
    final Set<NodeId> streaming = new HashSet<>();
    private final Map<NodeId, Transport> transports = new HashMap<>();
    Predicate<Envelope> drop = e -> false;
    boolean duplicate;
    int messagesSent;
    int repliesIgnored;

    private final Map<NodeId, List<Runnable>> heldDurable = new HashMap<>();
    private final Map<List<NodeId>, FrameDecoder> links = new HashMap<>();
    private final Queue<Delivery> network = new ArrayDeque<>();
    private final VirtualTime time = new VirtualTime();

    public WireCluster(int nodeCount, int replicationFactor) {
        for (int i = 1; i <= nodeCount; i++) {
            nodes.add(new NodeId(i));
        }
        ring = new StaticRing(nodes, replicationFactor);
        for (NodeId node : nodes) {
            InMemoryStorageEngine engine = new InMemoryStorageEngine();
            storage.put(node, engine);
            heldDurable.put(node, new ArrayList<>());
            Replica replica = new Replica(engine, new HlcClock(time), stats);
            Durability durability = (sequence, onDurable, onFailed) -> {
                if (slowDisk.contains(node)) {
                    heldDurable.get(node).add(onDurable);
                } else {
                    onDurable.run();
                }
            };
            Transport transport = (to, message) -> send(node, to, message);
            RemoteReplicaGateway remote = new RemoteReplicaGateway(
                    transport, time, 0, TIMEOUT_NANOS, RemoteReplicaGateway.DEFAULT_MAX_IN_FLIGHT);
            gateways.put(node, remote);
            servers.put(node, new ReplicaServer(node, replica, durability, transport));
            transports.put(node, transport);
            ReplicaGateway local = new LocalReplicaGateway(node, replica, durability);
            ReplicaGateway refusingWhileStreaming = new ReplicaGateway() {
                @Override
                public void read(NodeId self, KeyRef key, Consumer<ReplicaReply> reply) {
                    if (streaming.contains(node)) {
                        reply.accept(new ReplicaReply.Failed(node + " is still streaming the partition in"));
                    } else {
                        local.read(self, key, reply);
                    }
                }

                @Override
                public void write(NodeId self, KeyRef key, Versioned version, Consumer<ReplicaReply> reply) {
                    local.write(self, key, version, reply);
                }
            };
            ReplicaGateway routing = new RoutingReplicaGateway(node, refusingWhileStreaming, remote, id -> true);
            coordinators.put(
                    node,
                    new Coordinator(
                            node,
                            TestDots.lease(node),
                            () -> ring,
                            routing,
                            new HlcClock(time),
                            time,
                            TIMEOUT_NANOS,
                            stats,
                            HintSink.NONE));
        }
    }

    private void send(NodeId from, NodeId to, Message message) {
        messagesSent++;
        byte[] frame = codec.encodeFramed(message);
        if (drop.test(new Envelope(from, to, message))) {
            return;
        }
        network.add(new Delivery(from, to, frame));
        if (duplicate) {
            network.add(new Delivery(from, to, frame));
        }
    }

    /** The nodes, in id order (1, 2, ...). */
    public List<NodeId> nodes() {
        return nodes;
    }

    public Coordinator coordinator(NodeId node) {
        return coordinators.get(node);
    }

    /** Delivers messages until none are left in flight. */
    public void run() {
        Delivery d;
        while ((d = network.poll()) != null) {
            Delivery delivery = d;
            FrameDecoder link = links.computeIfAbsent(List.of(d.from(), d.to()), k -> new FrameDecoder());
            int half = d.frame().length / 2;
            link.feed(d.frame(), 0, half, payload -> dispatch(delivery, payload));
            link.feed(d.frame(), half, d.frame().length - half, payload -> dispatch(delivery, payload));
        }
    }

    private void dispatch(Delivery d, byte[] payload) {
        Message message = codec.decode(payload);
        if (message instanceof ReplicaReadRequest read && streaming.contains(d.to())) {
            transports.get(d.to()).send(d.from(), new ReplicaFailure(read.requestId(), "still streaming"));
        } else if (message instanceof ForwardWriteRequest forwarded) {
            ForwardedWrites.serve(coordinators.get(d.to()), transports.get(d.to()), d.from(), forwarded);
        } else if (ReplicaServer.isRequest(message)) {
            servers.get(d.to()).onRequest(d.from(), message);
        } else if (!gateways.get(d.to()).onReply(d.from(), message)) {
            repliesIgnored++;
        }
    }

    void releaseDisk(NodeId node) {
        slowDisk.remove(node);
        List<Runnable> held = new ArrayList<>(heldDurable.get(node));
        heldDurable.get(node).clear();
        held.forEach(Runnable::run);
        run();
    }

    void advanceNanos(long nanos) {
        time.advanceNanos(nanos, this::run);
    }

    int inFlight() {
        return gateways.values().stream()
                .mapToInt(RemoteReplicaGateway::inFlight)
                .sum();
    }

    public Optional<Versioned> stored(NodeId node, KeyRef key) {
        return storage.get(node).get(key.partition(), key.table(), key.key());
    }
}
