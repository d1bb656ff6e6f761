package io.dynakv.node;

import io.dynakv.cluster.ring.Partitioner;
import io.dynakv.common.NodeId;
import io.dynakv.node.cluster.Cluster;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.storage.StorageEngine;
import io.vertx.core.Vertx;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What the API layer may use of a running node. Kept to one small record so the API's
 * dependencies on the node are visible in one place.
 *
 * @param replicasPerKey how many replicas hold each key (N, capped by the cluster size)
 * @param writesPerFsync how many writes each fsync has covered on average (group commit at work)
 * @param cluster the node's part in the cluster (set once the node listens)
 * @param leave starts a graceful leave, after which the process stops
 */
public record NodeHandle(
        NodeConfig config,
        NodeId id,
        Partitioner partitioner,
        ShardRouter shards,
        StorageEngine storage,
        ReplicationStats stats,
        Supplier<NodeState> state,
        IntSupplier replicasPerKey,
        DoubleSupplier writesPerFsync,
        Vertx vertx,
        Supplier<Cluster> cluster,
        Runnable leave) {}
