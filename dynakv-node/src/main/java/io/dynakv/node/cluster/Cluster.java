package io.dynakv.node.cluster;

import io.dynakv.cluster.membership.MembershipTransport;
import io.dynakv.cluster.membership.SwimCodecs;
import io.dynakv.cluster.membership.SwimConfig;
import io.dynakv.cluster.membership.SwimMembership;
import io.dynakv.cluster.ring.PartitionTable;
import io.dynakv.cluster.ring.Ring;
import io.dynakv.cluster.ring.RingCodecs;
import io.dynakv.cluster.ring.RingManager;
import io.dynakv.common.NodeId;
import io.dynakv.common.codec.MessageCodec;
import io.dynakv.common.message.Message;
import io.dynakv.common.message.Transport;
import io.dynakv.node.HostPort;
import io.dynakv.node.NodeConfig;
import io.dynakv.node.ShardRouter;
import io.dynakv.node.SystemClock;
import io.dynakv.node.VertxScheduler;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.replication.antientropy.AntiEntropyCodecs;
import io.dynakv.replication.coordinator.RemoteReplicaGateway;
import io.dynakv.replication.handoff.HintReplayer;
import io.dynakv.replication.message.ReplicationCodecs;
import io.dynakv.replication.rebalance.StreamCodecs;
import io.dynakv.storage.StorageEngine;
import io.dynakv.transport.ClusterIdentity;
import io.dynakv.transport.MessageTransport;
import io.dynakv.transport.TransportConfig;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's part in a cluster: the node-to-node transport, membership and ring on the control
 * loop, and hinted-handoff replay. Built by {@link #start}; the shards reach other nodes through
 * {@link #transport()} and read the ring through {@link #ring()}.
 *
 * <p>The control loop does no disk I/O: it runs failure detection, and a probe answered late
 * because the loop waited for an fsync makes a healthy node look dead. Hint replay (which scans
 * the hints on disk) and the cluster metadata's synced writes run on the disk loop instead, a
 * Vert.x worker context (ordered, allowed to block); replay's results stay there with it.
 */
public final class Cluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Cluster.class);

    /** Room in a frame beyond the largest value: key, version vector, message envelope. */
    private static final int FRAME_OVERHEAD_BYTES = 64 * 1024;

    private static final int HINT_BATCH = 256;
    private static final Duration HINT_TICK = Duration.ofSeconds(1);

    /** How long a close waits for the disk loop to finish saving what the control loop changed last. */
    private static final Duration DISK_LOOP_DRAIN = Duration.ofSeconds(10);

    /** Seeds of the protocols' random choices; different on every node and every start. */
    private static final SecureRandom SEEDS = new SecureRandom();

    private final Context controlLoop;
    private final Context diskLoop;
    private final MessageTransport transport;
    private final ClusterControl control;
    private final Rebalancer rebalancer;
    private final ClusterIdentity identity;

    private Cluster(
            Context controlLoop,
            Context diskLoop,
            MessageTransport transport,
            ClusterControl control,
            Rebalancer rebalancer,
            ClusterIdentity identity) {
        this.controlLoop = controlLoop;
        this.diskLoop = diskLoop;
        this.transport = transport;
        this.control = control;
        this.rebalancer = rebalancer;
        this.identity = identity;
    }

    /** The codec every node of a cluster speaks; frames fit the largest value this node accepts. */
    public static MessageCodec codec(int maxValueBytes) {
        MessageCodec codec = new MessageCodec(maxFrameBytes(maxValueBytes));
        SwimCodecs.register(codec);
        RingCodecs.register(codec);
        ReplicationCodecs.register(codec);
        AntiEntropyCodecs.register(codec);
        return StreamCodecs.register(codec);
    }

    private static int maxFrameBytes(int maxValueBytes) {
        return Math.max(TransportConfig.DEFAULT_MAX_FRAME_BYTES, maxValueBytes + FRAME_OVERHEAD_BYTES);
    }

    /**
     * Listens on the node-to-node port and starts membership: joining through {@code joinSeed} (a
     * gossiped address) when given; else, on a restart, through the members this node knew; else
     * alone, as the first node of a new cluster, with a new cluster id.
     *
     * @param replaces the dead member this new node takes the place of ({@code --replace})
     * @param expel called (on the control loop) when this node must stop: the cluster refused it,
     *     or it is a wiped member's new self at that member's address ({@link ClusterAdmission})
     */
    public static Cluster start(
            Vertx vertx,
            NodeConfig config,
            NodeId self,
            StorageEngine storage,
            ShardRouter shards,
            ReplicationStats stats,
            int partitions,
            Optional<String> joinSeed,
            Optional<NodeId> replaces,
            Consumer<String> expel)
            throws Exception {
        Context controlLoop = vertx.getOrCreateContext();
        Context diskLoop = workerContext(vertx);
        HostPort peer = new HostPort(config.advertise().host(), config.peerPort());
        NodeAddress address = new NodeAddress(config.advertise(), peer);
        MessageRouter router = new MessageRouter(shards, controlLoop, diskLoop);
        ClusterMeta meta = new ClusterMeta(storage, task -> diskLoop.runOnContext(ignored -> task.run()));
        Optional<PartitionTable> held = meta.table();
        // With --replace, a lone founder's table is the wiped node that stopped and printed the
        // command: it joins as new. A member's table means the replacement already happened.
        boolean loneFounder = held.isPresent() && held.get().members().equals(List.of(self));
        Optional<PartitionTable> stored = replaces.isPresent() && loneFounder ? Optional.empty() : held;
        Optional<NodeId> replacing = stored.isPresent() ? Optional.empty() : replaces;
        if (replaces.isPresent() && replacing.isEmpty()) {
            log.warn("node={} is a member already; --replace {} ignored", self, replaces.get());
        }
        List<String> seeds = joinSeed.map(List::of).orElseGet(meta::peers);
        boolean founding = stored.isEmpty() && seeds.isEmpty();
        ClusterIdentity identity = new ClusterIdentity(stored.isEmpty() ? ClusterIdentity.NONE : meta.clusterId());
        if (founding) {
            identity.set(newClusterId());
            meta.saveClusterId(identity.id());
            log.info("node={} founded cluster {}", self, ClusterIdentity.format(identity.id()));
        }
        ClusterControl[] control = new ClusterControl[1];
        Rebalancer[] rebalancers = new Rebalancer[1];
        TransportConfig transportConfig = new TransportConfig(
                self,
                peer.toString(),
                config.advertise().toString(),
                config.bind().host(),
                config.peerPort(),
                config.clusterSecret(),
                maxFrameBytes(config.maxValueBytes()),
                TransportConfig.DEFAULT_MAX_QUEUED_BYTES_PER_PEER,
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                identity);
        MessageTransport transport;
        try {
            transport = MessageTransport.start(
                            vertx,
                            controlLoop,
                            transportConfig,
                            codec(config.maxValueBytes()),
                            id -> control[0] == null
                                    ? Optional.empty()
                                    : control[0].peerAddressOf(id, Vertx.currentContext() == controlLoop),
                            router)
                    .await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(
                    "cannot listen for other nodes on " + config.bind().host() + ":"
                            + config.peerPort() + ": " + rootMessage(e)
                            + ". Is another process using the port? Choose another with --peer-port.",
                    e);
        }
        VertxScheduler scheduler = new VertxScheduler(vertx);
        MembershipTransport membershipTransport = new MembershipTransport() {
            @Override
            public void send(NodeId to, Message message) {
                transport.send(to, message);
            }

            @Override
            public void sendToAddress(String to, Message message) {
                transport.sendToAddress(NodeAddress.peerOf(to), message);
            }
        };
        Promise<ClusterControl> started = Promise.promise();
        controlLoop.runOnContext(ignored -> {
            SwimConfig swimConfig = swimConfig(config.gossipInterval());
            SwimMembership swim = new SwimMembership(
                    self,
                    address.toString(),
                    membershipTransport,
                    scheduler,
                    SystemClock.of(config),
                    new SplittableRandom(SEEDS.nextLong()),
                    swimConfig,
                    meta.incarnation() + 1);
            RingManager rings = stored.map(table -> RingManager.restarted(self, table))
                    .orElseGet(() -> founding
                            ? RingManager.founder(self, partitions, config.replicationFactor())
                            : RingManager.joiner(self));
            ClusterControl c = new ClusterControl(
                    swim,
                    rings,
                    membershipTransport,
                    meta,
                    scheduler,
                    new SplittableRandom(SEEDS.nextLong()),
                    config.gossipInterval().toNanos());
            control[0] = c;
            ClusterAdmission admission =
                    new ClusterAdmission(address, identity, meta, replacing, founding, swim, c::replace, expel);
            swim.useJoinPolicy(admission);
            identity.onConflict(admission::onConflict);
            Rebalancer rebalancer = new Rebalancer(
                    self,
                    shards,
                    meta,
                    storage,
                    transport,
                    task -> vertx.executeBlocking(() -> {
                        task.run();
                        return null;
                    }),
                    partitions,
                    rings.table().orElse(null));
            c.storeTablesWith(rebalancer::adopt);
            c.onTable(rebalancer::onTable);
            rebalancers[0] = rebalancer;
            long timeout = config.requestTimeout().toNanos();
            RemoteReplicaGateway hintGateway = new RemoteReplicaGateway(
                    transport,
                    scheduler,
                    shards.size(),
                    2 * timeout,
                    RemoteReplicaGateway.DEFAULT_MAX_IN_FLIGHT,
                    () -> epochOf(c.view().table()));
            router.attach(c, hintGateway, rebalancer, transport);
            c.start(seeds);
            HintReplayer replayer = new HintReplayer(
                    storage,
                    hintGateway,
                    scheduler,
                    new SystemClock(config.testClockOffset().toMillis()),
                    stats,
                    new HintReplayer.Targets() { // the latest view: read on the disk loop
                        @Override
                        public boolean isUp(NodeId node) {
                            return c.view().isUp(node);
                        }

                        @Override
                        public boolean hasLeft(NodeId node) {
                            return c.view().hasLeft(node);
                        }
                    },
                    HintReplayer.Limits.forTombstoneGrace(
                            config.tombstoneGrace().toMillis()),
                    HINT_BATCH,
                    HINT_TICK.toNanos(),
                    timeout);
            diskLoop.runOnContext(onDiskLoop -> replayer.start()); // its timers then fire there too
            started.complete(c);
        });
        ClusterControl c = started.future().await(30, TimeUnit.SECONDS);
        return new Cluster(controlLoop, diskLoop, transport, c, rebalancers[0], identity);
    }

    /** A worker context: runs one task at a time, in order, on Vert.x's worker threads. */
    private static Context workerContext(Vertx vertx) throws Exception {
        Promise<Context> created = Promise.promise();
        vertx.deployVerticle(
                        new VerticleBase() {
                            @Override
                            public Future<?> start() {
                                created.complete(context);
                                return Future.succeededFuture();
                            }
                        },
                        new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
                .await(30, TimeUnit.SECONDS);
        return created.future().await(30, TimeUnit.SECONDS);
    }

    /** SWIM's defaults, scaled to the configured protocol period. */
    private static SwimConfig swimConfig(Duration period) {
        SwimConfig d = SwimConfig.defaults();
        long periodNanos = period.toNanos();
        return new SwimConfig(
                periodNanos,
                periodNanos * d.probeTimeoutNanos() / d.protocolPeriodNanos(),
                d.indirectProbes(),
                d.suspicionMultiplier(),
                d.retransmitMultiplier(),
                d.maxPiggyback(),
                d.deadProbeEveryPeriods(),
                d.joinRetryPeriods(),
                d.syncEveryPeriods());
    }

    /** A random cluster id, never {@link ClusterIdentity#NONE}. */
    private static long newClusterId() {
        long id;
        do {
            id = SEEDS.nextLong();
        } while (id == ClusterIdentity.NONE);
        return id;
    }

    private static List<NodeId> others(ClusterControl control, NodeId self) {
        PartitionTable table = control.view().table();
        List<NodeId> others = new ArrayList<>();
        if (table != null) {
            for (NodeId id : table.members()) {
                if (!id.equals(self)) {
                    others.add(id);
                }
            }
        }
        return others;
    }

    /** The cluster's id as 16 hex digits; all zeros while a joiner is not admitted yet. */
    public String clusterId() {
        return ClusterIdentity.format(identity.id());
    }

    public ClusterControl control() {
        return control;
    }

    public Rebalancer rebalancer() {
        return rebalancer;
    }

    public Transport transport() {
        return transport;
    }

    /** The ring coordinators use; null until a joining node has received its first table. */
    public Ring ring() {
        return control.view().table();
    }

    /** The epoch of the ring coordinators use, sent with replica requests; 0 before the first table. */
    public long ringEpoch() {
        return epochOf(control.view().table());
    }

    private static long epochOf(PartitionTable table) {
        return table == null ? 0 : table.epoch();
    }

    /** Operator: removes {@code id} for good (it is marked LEFT everywhere); false if unknown or gone. */
    public Future<Boolean> remove(NodeId id) {
        Promise<Boolean> done = Promise.promise();
        controlLoop.runOnContext(ignored -> done.complete(control.remove(id)));
        return done.future();
    }

    /** Tells every member this node leaves, so the ring moves its partitions to the others. */
    public Future<Void> leave() {
        Promise<Void> done = Promise.promise();
        controlLoop.runOnContext(ignored -> {
            control.leave();
            done.complete();
        });
        return done.future();
    }

    public long undeliverable() {
        return transport.undeliverable();
    }

    /** Stops the transport, then waits for the disk loop to save what was changed last. */
    @Override
    public void close() {
        transport.close();
        Promise<Void> drained = Promise.promise();
        diskLoop.runOnContext(ignored -> drained.complete()); // after every save queued before it
        try {
            drained.future().await(DISK_LOOP_DRAIN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("cluster state saves did not finish within {} s: {}", DISK_LOOP_DRAIN.toSeconds(), e.toString());
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
