package io.dynakv.replication.coordinator;

import io.dynakv.common.Clock;
import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.common.Versioned;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.replication.replica.KeyRef;
import io.dynakv.storage.InMemoryStorageEngine;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * {@link TestCluster} for tests in other packages, plus a view of which nodes membership would call
 * up: {@link #markUp} makes a node look up while its messages are still dropped.
 */
public final class TestClusterAccess {

    private final TestCluster cluster;
    private final Set<NodeId> seenDown = new HashSet<>();

    public TestClusterAccess(int nodes, int replicationFactor) {
        this.cluster = new TestCluster(nodes, replicationFactor);
    }

    public NodeId node(int index) {
        return cluster.nodes.get(index);
    }

    public Coordinator coordinator(NodeId node) {
        return cluster.coordinators.get(node);
    }

    public InMemoryStorageEngine storage(NodeId node) {
        return cluster.storage.get(node);
    }

    public Optional<Versioned> stored(NodeId node, KeyRef key) {
        return cluster.stored(node, key);
    }

    public ReplicaGateway gateway() {
        return cluster.gateway;
    }

    public Scheduler scheduler() {
        return cluster.scheduler;
    }

    public Clock clock() {
        return cluster.clock;
    }

    public ReplicationStats stats() {
        return cluster.stats;
    }

    /** Drops (or stops dropping) the node's messages; membership sees it down while it is. */
    public void down(NodeId node, boolean isDown) {
        if (isDown) {
            cluster.down.add(node);
            seenDown.add(node);
        } else {
            cluster.down.remove(node);
            seenDown.remove(node);
        }
    }

    public void failing(NodeId node, boolean isFailing) {
        if (isFailing) {
            cluster.failing.add(node);
        } else {
            cluster.failing.remove(node);
        }
    }

    /** Membership believes the node is up, whatever its messages do. */
    public void markUp(NodeId node) {
        seenDown.remove(node);
    }

    public boolean isUp(NodeId node) {
        return !seenDown.contains(node);
    }

    public void run() {
        cluster.run();
    }

    public void advanceMillis(long millis) {
        cluster.advanceMillis(millis);
    }
}
