package io.dynakv.node;

import io.dynakv.cluster.ring.PartitionTable;
import io.dynakv.cluster.ring.Ring;
import io.dynakv.common.HlcClock;
import io.dynakv.common.NodeId;
import io.dynakv.node.cluster.Cluster;
import io.dynakv.node.cluster.IncompleteReadsRefused;
import io.dynakv.node.cluster.Rebalancer;
import io.dynakv.replication.antientropy.AntiEntropyResponder;
import io.dynakv.replication.antientropy.AntiEntropyScheduler;
import io.dynakv.replication.antientropy.AntiEntropySession;
import io.dynakv.replication.antientropy.ByteBudget;
import io.dynakv.replication.antientropy.MerkleTree;
import io.dynakv.replication.coordinator.Coordinator;
import io.dynakv.replication.coordinator.DotLease;
import io.dynakv.replication.coordinator.LocalReplicaGateway;
import io.dynakv.replication.coordinator.RemoteReplicaGateway;
import io.dynakv.replication.coordinator.ReplicaGateway;
import io.dynakv.replication.coordinator.ReplicaServer;
import io.dynakv.replication.coordinator.RoutingReplicaGateway;
import io.dynakv.replication.handoff.HintReplayer;
import io.dynakv.replication.handoff.StoredHints;
import io.dynakv.replication.rebalance.PartitionStream;
import io.dynakv.replication.rebalance.PartitionStreamServer;
import io.dynakv.replication.rebalance.PartitionStreams;
import io.dynakv.replication.rebalance.SourceStatus;
import io.dynakv.replication.replica.Durability;
import io.dynakv.replication.replica.Replica;
import io.dynakv.replication.replica.TombstoneReaper;
import io.dynakv.storage.StorageEngine;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.stream.IntStream;

/**
 * Builds one shard's protocol parts on its own loop (a verticle's start), so every timer they set
 * fires on that loop: the coordinator and its gateways, the replica server, anti-entropy, the
 * partition streams, and the tombstone reaper of the partitions the loop owns.
 */
final class ShardAssembly {

    /** Tombstone purging: a bounded slice per loop per tick, so it never stalls requests. */
    private static final int REAPER_RECORDS_PER_TICK = 1000;

    private static final Duration REAPER_TICK = Duration.ofSeconds(1);

    /**
     * Anti-entropy session ids: the loop index in the top 16 bits (replies find their loop by it)
     * and a random part per start in the middle, so a peer never mistakes a new round for one it
     * cached from before this node restarted; rounds count up in the low 32 bits.
     */
    private static final long SESSION_ID_BOOT_BITS = 0x0000_FFFF_0000_0000L;

    private static final long MIN_BURST_BYTES = 256 * 1024;

    /** Partitions each loop streams in at once when the ring moves; more only compete for the disk. */
    private static final int STREAMS_PER_LOOP = 8;

    private static final int STREAM_PAGE_RECORDS = 4096;

    /**
     * 1 MiB pages; a source that does not answer within 2 s is asked again once, then passed over.
     * A node that is itself still streaming a partition in does not serve it, so a short timeout
     * matters when nodes join at once: the newcomer moves on to another source quickly.
     */
    private static final PartitionStream.Settings STREAM_SETTINGS = new PartitionStream.Settings(
            1 << 20, Duration.ofSeconds(2).toNanos(), Duration.ofSeconds(1).toNanos(), 2);

    private static final SecureRandom SESSION_RANDOM = new SecureRandom();

    private final NodeConfig config;
    private final NodeHandle handle;
    private final StorageEngine storage;
    private final Cluster cluster;
    private final GroupCommitter committer;
    private final SystemClock clock;
    private final DotLease dots;
    private final Replica replica;
    private final HlcClock hlc;
    private final VertxScheduler scheduler;

    ShardAssembly(
            NodeConfig config,
            NodeHandle handle,
            StorageEngine storage,
            Cluster cluster,
            GroupCommitter committer,
            SystemClock clock,
            DotLease dots,
            Replica replica,
            HlcClock hlc,
            VertxScheduler scheduler) {
        this.config = config;
        this.handle = handle;
        this.storage = storage;
        this.cluster = cluster;
        this.committer = committer;
        this.clock = clock;
        this.dots = dots;
        this.replica = replica;
        this.hlc = hlc;
        this.scheduler = scheduler;
    }

    /**
     * Runs on the new shard's own loop (a verticle's start): its coordinator, and the reaper for the
     * partitions it owns, whose timers therefore fire on that loop too.
     */
    void start(int index, Context context) {
        Durability durability = durability(context);
        long timeout = config.requestTimeout().toNanos();
        // Forwarded writes wait up to two timeouts (the replica's own, plus the hop): remember that long.
        RemoteReplicaGateway remote = new RemoteReplicaGateway(
                cluster.transport(),
                scheduler,
                index,
                2 * timeout,
                RemoteReplicaGateway.DEFAULT_MAX_IN_FLIGHT,
                cluster::ringEpoch);
        Rebalancer rebalancer = cluster.rebalancer();
        ReplicaGateway gateway = new RoutingReplicaGateway(
                handle.id(),
                new IncompleteReadsRefused(new LocalReplicaGateway(handle.id(), replica, durability), rebalancer),
                remote,
                id -> cluster.control().view().isUp(id));
        Coordinator coordinator = new Coordinator(
                handle.id(),
                dots,
                cluster::ring,
                gateway,
                hlc,
                scheduler,
                timeout,
                handle.stats(),
                new StoredHints(
                        storage,
                        handle.stats(),
                        HintReplayer.Limits.forTombstoneGrace(
                                config.tombstoneGrace().toMillis())));
        ReplicaServer server = new ReplicaServer(handle.id(), replica, durability, cluster.transport());
        AntiEntropyScheduler antiEntropy = new AntiEntropyScheduler(
                handle.id(),
                ((long) index << 48) | (SESSION_RANDOM.nextLong() & SESSION_ID_BOOT_BITS),
                storage,
                replica,
                cluster.transport(),
                gateway,
                scheduler,
                new ByteBudget(
                        clock,
                        Math.max(1, config.antiEntropyBytesPerSecond() / config.eventLoops()),
                        Math.max(MIN_BURST_BYTES, config.antiEntropyBytesPerSecond() / config.eventLoops())),
                AntiEntropySession.Settings.defaults(),
                config.antiEntropyInterval().toNanos(),
                new AntiEntropyScheduler.Placement(
                        () -> heldPartitions(index),
                        p -> cluster.ring().preferenceList(p),
                        id -> cluster.control().view().isUp(id),
                        rebalancer::isIncomplete));
        PartitionStreams streams = new PartitionStreams(
                (long) index << 48,
                STREAMS_PER_LOOP,
                handle.id(),
                replica,
                durability,
                cluster.transport(),
                scheduler,
                new SourceStatus() { // always the latest view: a stream outlives many
                    @Override
                    public boolean isUp(NodeId node) {
                        return cluster.control().view().isUp(node);
                    }

                    @Override
                    public boolean hasLeft(NodeId node) {
                        return cluster.control().view().hasLeft(node);
                    }
                },
                STREAM_SETTINGS,
                rebalancer::completed);
        handle.shards()
                .register(new Shard(
                        index,
                        context,
                        coordinator,
                        remote,
                        server,
                        cluster.transport(),
                        new AntiEntropyResponder(storage, cluster.transport(), MerkleTree.DEFAULT_PAGE_SIZE),
                        antiEntropy,
                        streams,
                        new PartitionStreamServer(
                                storage, cluster.transport(), STREAM_PAGE_RECORDS, rebalancer::isIncomplete)));
        antiEntropy.start();
        int[] owned = IntStream.range(0, handle.partitioner().partitions())
                .filter(p -> p % config.eventLoops() == index)
                .toArray();
        new TombstoneReaper(
                        storage,
                        replica.horizons(),
                        scheduler,
                        handle.stats(),
                        owned,
                        REAPER_RECORDS_PER_TICK,
                        REAPER_TICK.toNanos())
                .start();
    }

    /** Acknowledgements (and failures) go through the group committer and come back on the shard's own loop. */
    private Durability durability(Context shardLoop) {
        return (sequence, onDurable, onFailed) -> committer.whenDurable(
                sequence,
                () -> onLoop(shardLoop, onDurable),
                failure -> onLoop(shardLoop, () -> onFailed.accept(failure)));
    }

    private static void onLoop(Context loop, Runnable work) {
        if (Vertx.currentContext() == loop) {
            work.run();
        } else {
            loop.runOnContext(ignored -> work.run());
        }
    }

    /** The partitions of shard {@code index} that the ring gives this node; none before a ring. */
    private int[] heldPartitions(int index) {
        Ring ring = cluster.ring();
        if (!(ring instanceof PartitionTable table)) {
            return new int[0];
        }
        return IntStream.of(table.partitionsOf(handle.id()))
                .filter(p -> p % config.eventLoops() == index)
                .toArray();
    }
}
