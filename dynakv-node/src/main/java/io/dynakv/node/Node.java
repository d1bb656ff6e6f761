package io.dynakv.node;

import io.dynakv.api.HttpApi;
import io.dynakv.cluster.ring.PartitionTable;
import io.dynakv.cluster.ring.Partitioner;
import io.dynakv.cluster.ring.Ring;
import io.dynakv.common.HlcClock;
import io.dynakv.common.NodeId;
import io.dynakv.common.codec.ByteReader;
import io.dynakv.common.codec.ByteWriter;
import io.dynakv.node.cluster.Cluster;
import io.dynakv.node.cluster.SeedLookup;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.replication.coordinator.DotLease;
import io.dynakv.replication.replica.Replica;
import io.dynakv.replication.replica.TombstoneHorizons;
import io.dynakv.replication.replica.TombstoneReaper;
import io.dynakv.storage.StorageEngine;
import io.dynakv.storage.rocksdb.RocksDbStorageEngine;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node: storage, identity, group committer, one shard per event loop, and the HTTP
 * server on every loop, and its part in the cluster. {@link #start} returns once the node listens
 * (a joining node serves keys once it holds the ring); {@link #stop} drains and
 * closes everything in reverse order.
 */
public final class Node implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Node.class);

    private static final String META_NODE_ID = "node_id";
    private static final String META_PARTITIONS = "partitions";

    /** How long a leaving node waits for the ring to drop it. */
    private static final Duration LEAVE_PATIENCE = Duration.ofSeconds(60);

    /** Node ids must not collide across a cluster's lifetime: draw them from a strong source. */
    private static final SecureRandom ID_RANDOM = new SecureRandom();

    private final NodeConfig config;
    private final StorageEngine storage;
    private final GroupCommitter committer;
    private final Vertx vertx;
    private final NodeHandle handle;
    private final int partitions;
    private final Optional<String> joinSeed;
    private final SystemClock clock;
    private volatile Cluster cluster;
    private volatile String failure;
    private final Runnable exitRequested;
    private final AtomicBoolean left = new AtomicBoolean();

    /**
     * Dots leased per metadata write: one synced write per this many writes coordinated here, and
     * at most this many dots skipped per restart (a 64-bit counter never runs out either way).
     */
    private static final long DOT_LEASE_BLOCK = 1 << 16;

    /** This data directory's minting identity and counter (see DotLease). */
    private final DotLease dots;

    private volatile NodeState state = NodeState.STARTING;
    private String deploymentId;

    private Node(NodeConfig config, StorageEngine storage, Optional<SeedLookup.Seed> seed, Runnable exitRequested) {
        this.config = config;
        this.exitRequested = exitRequested;
        this.clock = SystemClock.of(config);
        this.storage = storage;
        NodeId id = loadOrCreateId(storage);
        this.partitions = checkPartitions(storage, config.partitions(), seed);
        this.joinSeed = seed.map(SeedLookup.Seed::gossipAddress);
        Partitioner partitioner = new Partitioner(partitions);
        this.dots = DotLease.open(storage, ID_RANDOM::nextLong, DOT_LEASE_BLOCK, this::writeMetaOffLoop);
        this.committer = new GroupCommitter(storage, config.fsync(), config.fsyncInterval());
        this.vertx = Vertx.vertx(new VertxOptions()
                .setEventLoopPoolSize(config.eventLoops())
                .setWorkerPoolSize(Math.max(2, config.eventLoops())));
        this.handle = new NodeHandle(
                config,
                id,
                partitioner,
                new ShardRouter(config.eventLoops()),
                storage,
                new ReplicationStats(),
                () -> state,
                this::replicasPerKey,
                committer::writesPerFsync,
                vertx,
                () -> cluster,
                this::leaveAndExit);
    }

    /** Opens the data directory and starts serving; throws with an operator's message on failure. */
    public static Node start(NodeConfig config) {
        return start(config, () -> {});
    }

    /**
     * As {@link #start(NodeConfig)}; {@code exitRequested} runs when an operator asked this node to
     * leave the cluster ({@code POST /membership/leave}) and it has left: the process should stop.
     */
    public static Node start(NodeConfig config, Runnable exitRequested) {
        return start(config, exitRequested, UnaryOperator.identity());
    }

    /**
     * As {@link #start(NodeConfig)}, with the storage engine wrapped by {@code decorateStorage}:
     * for tests that inject storage faults (STYLE section 4.5), such as a full disk.
     */
    public static Node startWithStorage(NodeConfig config, UnaryOperator<StorageEngine> decorateStorage) {
        return start(config, () -> {}, decorateStorage);
    }

    private static Node start(NodeConfig config, Runnable exitRequested, UnaryOperator<StorageEngine> decorateStorage) {
        Optional<SeedLookup.Seed> seed = Optional.empty();
        if (config.join() != null) {
            try {
                seed = Optional.of(SeedLookup.ask(config.join(), config.joinTimeout()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while looking for the cluster at " + config.join(), e);
            }
        }
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot create the data directory " + config.dataDir().toAbsolutePath() + ": " + e.getMessage()
                            + "; choose another with --data-dir",
                    e);
        }
        RocksDbStorageEngine.Options defaults = RocksDbStorageEngine.Options.defaults();
        RocksDbStorageEngine.Options options = new RocksDbStorageEngine.Options(
                config.blockCacheBytes(),
                defaults.writeBufferBytes(),
                defaults.maxWriteBufferNumber(),
                defaults.bloomBitsPerKey(),
                defaults.maxBackgroundJobs(),
                defaults.compressLowerLevels());
        StorageEngine storage =
                decorateStorage.apply(RocksDbStorageEngine.open(config.dataDir().resolve("rocksdb"), options));
        Node node;
        try {
            node = new Node(config, storage, seed, exitRequested);
        } catch (RuntimeException e) {
            storage.close();
            throw e;
        }
        node.deploy();
        return node;
    }

    private void deploy() {
        HlcClock hlc = new HlcClock(clock);
        TombstoneHorizons horizons =
                new TombstoneHorizons(hlc, clock, config.tombstoneGrace().toMillis(), this::otherReplicas);
        Replica replica = new Replica(storage, hlc, handle.stats(), horizons);
        HttpApi api = new HttpApi(handle);
        AtomicInteger next = new AtomicInteger();
        try {
            cluster = Cluster.start(
                    vertx,
                    config,
                    handle.id(),
                    storage,
                    handle.shards(),
                    handle.stats(),
                    partitions,
                    joinSeed,
                    Optional.ofNullable(config.replace()),
                    this::expelled);
        } catch (Exception e) {
            close();
            throw e instanceof IllegalStateException ise ? ise : new IllegalStateException(e.getMessage(), e);
        }
        ShardAssembly shards = new ShardAssembly(
                config, handle, storage, cluster, committer, clock, dots, replica, hlc, new VertxScheduler(vertx));
        try {
            deploymentId = vertx.deployVerticle(
                            () -> new ServerVerticle(
                                    config, api, context -> shards.start(next.getAndIncrement(), context)),
                            new DeploymentOptions().setInstances(config.eventLoops()))
                    .await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            close();
            Throwable root = rootCause(e);
            String hint = root instanceof BindException
                    ? ". Is another process using the port? Choose another address or stop it."
                    : ". Check that " + config.bind().host() + " is an address of this machine.";
            throw new IllegalStateException("cannot listen on " + config.bind() + ": " + root.getMessage() + hint, e);
        }
        cluster.rebalancer().resume();
        state = NodeState.JOINING;
        cluster.control().onTable(table -> serveOnceRingKnown());
        serveOnceRingKnown();
        if (state == NodeState.JOINING) {
            vertx.setTimer(config.joinTimeout().toMillis(), ignored -> giveUpJoiningIfStillWaiting());
        }
        log.info(
                "node={} listening on {} (peers {}) data={} fsync={} loops={} partitions={}",
                handle.id(),
                config.advertise(),
                config.peerPort(),
                config.dataDir().toAbsolutePath(),
                config.fsync(),
                config.eventLoops(),
                handle.partitioner().partitions());
        if (NodeCommand.hasDefaultClusterSecret()) {
            log.warn(
                    "DYNAKV_CLUSTER_SECRET is not set: any DynaKV node that can reach port {} may join."
                            + " Set the same secret on every node outside a laptop.",
                    config.peerPort());
        }
    }

    /**
     * The member answered over HTTP but the cluster never let this node in: almost always another
     * cluster secret (the handshakes are refused) or a blocked peer port. Waiting forever would
     * hide that; stop with exit 1 and say so.
     */
    private void giveUpJoiningIfStillWaiting() {
        if (state == NodeState.JOINING) {
            failure = "joined no cluster within --join-timeout-ms ("
                    + config.joinTimeout().toMillis()
                    + " ms): the members refused or never answered on the node-to-node port. Check that"
                    + " DYNAKV_CLUSTER_SECRET is the same on every node and that peer port " + config.peerPort()
                    + " is reachable both ways.";
            log.error("node={} {}", handle.id(), failure);
            exitRequested.run();
        }
    }

    /**
     * The cluster will not have this node, or it found itself at a member's address as a stranger
     * (see ClusterAdmission): stop, exit 1, and say why and what to do.
     */
    private void expelled(String reason) {
        if (failure == null) {
            failure = reason;
            log.error("node={} stopping: {}", handle.id(), reason);
            exitRequested.run();
        }
    }

    /** Why the node gave up, when it did; the process then exits 1. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /** A joining node serves keys once it holds the cluster's ring. */
    private synchronized void serveOnceRingKnown() {
        if (state == NodeState.JOINING && cluster.ring() != null) {
            state = NodeState.SERVING;
            log.info(
                    "node={} serving: ring epoch {}",
                    handle.id(),
                    cluster.control().view().table().epoch());
        }
    }

    /** The other replicas of a partition this node holds, for the tombstone GC; empty before a ring. */
    private Optional<List<NodeId>> otherReplicas(int partition) {
        Cluster c = cluster;
        Ring ring = c == null ? null : c.ring();
        return ring == null
                ? Optional.empty()
                : TombstoneReaper.otherReplicas(handle.id(), ring.preferenceList(partition));
    }

    private int replicasPerKey() {
        Cluster c = cluster;
        Ring ring = c == null ? null : c.ring();
        return ring == null ? config.replicationFactor() : ring.replicationFactor();
    }

    public NodeHandle handle() {
        return handle;
    }

    /**
     * Graceful stop: with {@code --leave-on-shutdown} first leave the cluster and wait until the
     * ring no longer holds this node; then refuse new requests, let in-flight ones finish, fsync,
     * close.
     */
    public void stop() {
        if (config.leaveOnShutdown() && cluster != null && left.compareAndSet(false, true)) {
            leave();
        }
        state = NodeState.STOPPING;
        log.info("node={} stopping: draining requests", handle.id());
        close();
    }

    /** The operator's leave: in the background, leave the cluster, then ask the process to stop. */
    private void leaveAndExit() {
        if (left.compareAndSet(false, true)) {
            Thread thread = new Thread(
                    () -> {
                        leave();
                        exitRequested.run();
                    },
                    "dynakv-leave");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Leaves for good: the others take over this node's partitions (from the remaining replicas). */
    public void leave() {
        try {
            cluster.leave().await(10, TimeUnit.SECONDS);
            log.info("node={} leaving the cluster; waiting until the ring no longer holds it", handle.id());
            long deadline = System.nanoTime() + LEAVE_PATIENCE.toNanos();
            while (System.nanoTime() < deadline) {
                PartitionTable table = cluster.control().view().table();
                if (table == null
                        || !table.members().contains(handle.id())
                        || table.members().size() == 1) {
                    log.info("node={} left the ring", handle.id());
                    return;
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
            log.warn(
                    "node={} did not see the ring without it within {} s; stopping anyway",
                    handle.id(),
                    LEAVE_PATIENCE.toSeconds());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("node={} could not leave cleanly: {}", handle.id(), e.toString());
        }
    }

    @Override
    public void close() {
        state = NodeState.STOPPING;
        try {
            if (deploymentId != null) {
                vertx.undeploy(deploymentId).await(15, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            log.warn("node={} HTTP servers did not stop cleanly: {}", handle.id(), e.toString());
        }
        if (cluster != null) {
            cluster.close();
        }
        committer.close();
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("node={} event loops did not stop cleanly: {}", handle.id(), e.toString());
        }
        storage.close();
        log.info("node={} stopped", handle.id());
    }

    /** A synced metadata write on a worker thread: event loops never wait for the disk. */
    private void writeMetaOffLoop(String name, byte[] value, Runnable onDurable, Consumer<RuntimeException> onFailed) {
        vertx.executeBlocking(() -> {
                    storage.putMeta(name, value);
                    return null;
                })
                .onComplete(result -> {
                    if (result.succeeded()) {
                        onDurable.run();
                    } else {
                        onFailed.accept(
                                result.cause() instanceof RuntimeException e
                                        ? e
                                        : new IllegalStateException(result.cause()));
                    }
                });
    }

    private static NodeId loadOrCreateId(StorageEngine storage) {
        return storage.getMeta(META_NODE_ID)
                .map(bytes -> new NodeId(new ByteReader(bytes).readLong()))
                .orElseGet(() -> {
                    NodeId id = newNodeId();
                    storage.putMeta(
                            META_NODE_ID,
                            new ByteWriter(8).writeLong(id.value()).toByteArray());
                    return id;
                });
    }

    /** A random id, never 0 (that one stands for "an unknown node" in streaming, see Rebalancer). */
    private static NodeId newNodeId() {
        long id;
        do {
            id = ID_RANDOM.nextLong();
        } while (id == 0);
        return new NodeId(id);
    }

    /**
     * The partition count is fixed when the data directory is made: keys are stored by partition.
     * A new node joining a cluster takes the cluster's count.
     */
    private static int checkPartitions(StorageEngine storage, int flag, Optional<SeedLookup.Seed> seed) {
        int stored = storage.getMeta(META_PARTITIONS)
                .map(bytes -> new ByteReader(bytes).readInt())
                .orElse(-1);
        int requested = seed.map(SeedLookup.Seed::partitions).orElse(flag);
        if (seed.isPresent() && stored != -1 && stored != requested) {
            throw new IllegalStateException("this data directory was made with --partitions=" + stored
                    + " but the cluster at the join address uses " + requested
                    + "; a node of another cluster cannot join: use a new --data-dir");
        }
        if (stored == -1) {
            storage.putMeta(
                    META_PARTITIONS, new ByteWriter(4).writeInt(requested).toByteArray());
            return requested;
        }
        if (stored != requested) {
            throw new IllegalStateException("this data directory was created with --partitions=" + stored
                    + " and cannot change to " + requested + "; drop the flag or use a new --data-dir");
        }
        return stored;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
