package io.dynakv.node;

import io.dynakv.api.HttpApi;
import io.dynakv.cluster.ring.Partitioner;
import io.dynakv.cluster.ring.Ring;
import io.dynakv.cluster.ring.StaticRing;
import io.dynakv.common.HlcClock;
import io.dynakv.common.NodeId;
import io.dynakv.common.codec.ByteReader;
import io.dynakv.common.codec.ByteWriter;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.replication.coordinator.Coordinator;
import io.dynakv.replication.coordinator.LocalReplicaGateway;
import io.dynakv.replication.handoff.StoredHints;
import io.dynakv.replication.replica.Durability;
import io.dynakv.replication.replica.Replica;
import io.dynakv.replication.replica.TombstoneReaper;
import io.dynakv.storage.StorageEngine;
import io.dynakv.storage.rocksdb.RocksDbStorageEngine;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node: storage, identity, group committer, one shard per event loop, and the HTTP
 * server on every loop. {@link #start} returns once the node serves; {@link #stop} drains and
 * closes everything in reverse order.
 */
public final class Node implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Node.class);

    private static final String META_NODE_ID = "node_id";
    private static final String META_PARTITIONS = "partitions";

    /** Tombstone purging: a bounded slice per loop per tick, so it never stalls requests. */
    private static final int REAPER_RECORDS_PER_TICK = 1000;

    private static final Duration REAPER_TICK = Duration.ofSeconds(1);

    /** Node ids must not collide across a cluster's lifetime: draw them from a strong source. */
    private static final SecureRandom ID_RANDOM = new SecureRandom();

    private final NodeConfig config;
    private final StorageEngine storage;
    private final GroupCommitter committer;
    private final Vertx vertx;
    private final NodeHandle handle;
    private final Ring ring;
    private final SystemClock clock = new SystemClock();

    /** This process's minting identity: new at every start (see Coordinator's actor). */
    private final NodeId actor = new NodeId(ID_RANDOM.nextLong());

    private volatile NodeState state = NodeState.STARTING;
    private String deploymentId;

    private Node(NodeConfig config, StorageEngine storage) {
        this.config = config;
        this.storage = storage;
        NodeId id = loadOrCreateId(storage);
        Partitioner partitioner = new Partitioner(checkPartitions(storage, config.partitions()));
        this.committer = new GroupCommitter(storage, config.fsync(), config.fsyncInterval());
        this.vertx = Vertx.vertx(new VertxOptions()
                .setEventLoopPoolSize(config.eventLoops())
                .setWorkerPoolSize(Math.max(2, config.eventLoops())));
        this.ring = new StaticRing(List.of(id), config.replicationFactor());
        this.handle = new NodeHandle(
                config,
                id,
                partitioner,
                new ShardRouter(config.eventLoops()),
                storage,
                new ReplicationStats(),
                () -> state,
                ring::replicationFactor,
                committer::writesPerFsync,
                vertx);
    }

    /** Opens the data directory and starts serving; throws with an operator's message on failure. */
    public static Node start(NodeConfig config) {
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
        StorageEngine storage = RocksDbStorageEngine.open(config.dataDir().resolve("rocksdb"), options);
        Node node;
        try {
            node = new Node(config, storage);
        } catch (RuntimeException e) {
            storage.close();
            throw e;
        }
        node.deploy();
        return node;
    }

    private void deploy() {
        HlcClock hlc = new HlcClock(clock);
        Replica replica = new Replica(storage, hlc, handle.stats());
        HttpApi api = new HttpApi(handle);
        AtomicInteger next = new AtomicInteger();
        try {
            deploymentId = vertx.deployVerticle(
                            () -> new ServerVerticle(
                                    config, api, context -> startShard(next.getAndIncrement(), context, replica, hlc)),
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
        state = NodeState.SERVING;
        log.info(
                "node={} serving on {} data={} fsync={} loops={} partitions={}",
                handle.id(),
                config.advertise(),
                config.dataDir().toAbsolutePath(),
                config.fsync(),
                config.eventLoops(),
                handle.partitioner().partitions());
    }

    /**
     * Runs on the new shard's own loop (a verticle's start): its coordinator, and the reaper for the
     * partitions it owns, whose timers therefore fire on that loop too.
     */
    private void startShard(int index, Context context, Replica replica, HlcClock hlc) {
        VertxScheduler scheduler = new VertxScheduler(vertx);
        Coordinator coordinator = new Coordinator(
                handle.id(),
                actor,
                () -> ring,
                new LocalReplicaGateway(handle.id(), replica, durability(context)),
                hlc,
                scheduler,
                config.requestTimeout().toNanos(),
                handle.stats(),
                new StoredHints(storage, handle.stats()));
        handle.shards().register(new Shard(index, context, coordinator));
        int[] owned = IntStream.range(0, handle.partitioner().partitions())
                .filter(p -> p % config.eventLoops() == index)
                .toArray();
        new TombstoneReaper(
                        storage,
                        clock,
                        scheduler,
                        handle.stats(),
                        config.tombstoneGrace().toMillis(),
                        owned,
                        REAPER_RECORDS_PER_TICK,
                        REAPER_TICK.toNanos())
                .start();
    }

    /** Acknowledgements go through the group committer and come back on the shard's own loop. */
    private Durability durability(Context shardLoop) {
        return (sequence, onDurable) -> committer.whenDurable(sequence, () -> {
            if (Vertx.currentContext() == shardLoop) {
                onDurable.run();
            } else {
                shardLoop.runOnContext(ignored -> onDurable.run());
            }
        });
    }

    public NodeHandle handle() {
        return handle;
    }

    /** Graceful stop: refuse new requests, let in-flight ones finish, fsync, close. */
    public void stop() {
        state = NodeState.STOPPING;
        log.info("node={} stopping: draining requests", handle.id());
        close();
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
        committer.close();
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("node={} event loops did not stop cleanly: {}", handle.id(), e.toString());
        }
        storage.close();
        log.info("node={} stopped", handle.id());
    }

    private static NodeId loadOrCreateId(StorageEngine storage) {
        return storage.getMeta(META_NODE_ID)
                .map(bytes -> new NodeId(new ByteReader(bytes).readLong()))
                .orElseGet(() -> {
                    NodeId id = new NodeId(ID_RANDOM.nextLong());
                    storage.putMeta(
                            META_NODE_ID,
                            new ByteWriter(8).writeLong(id.value()).toByteArray());
                    return id;
                });
    }

    /** The partition count is fixed when the data directory is made: keys are stored by partition. */
    private static int checkPartitions(StorageEngine storage, int requested) {
        int stored = storage.getMeta(META_PARTITIONS)
                .map(bytes -> new ByteReader(bytes).readInt())
                .orElse(-1);
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
