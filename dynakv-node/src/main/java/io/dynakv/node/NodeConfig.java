package io.dynakv.node;

import io.dynakv.common.NodeId;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A node's settings after parsing and validation ({@link NodeCommand} documents each one).
 *
 * @param bind host and port to listen on
 * @param advertise host and port other nodes and clients are told to use
 * @param join a member to join through, if any
 * @param replace the dead member a new node takes the place of ({@code --replace}); null if none
 * @param peerPort the node-to-node port
 * @param clusterSecret shared by the nodes of a cluster; a peer must prove it holds it to connect
 * @param gossipInterval the membership protocol period
 * @param joinTimeout how long a joining node waits for the member it was told to join through
 * @param antiEntropyInterval how often each event loop starts a Merkle-tree comparison of one partition
 * @param antiEntropyBytesPerSecond the node's bandwidth cap for anti-entropy repairs
 * @param leaveOnShutdown whether SIGTERM hands this node's partitions to the others before exiting
 * @param testClockOffset test only: how far this node's wall clock is shifted (clock-skew faults)
 * @param testClockStep test only: how far the wall clock steps once while the node runs
 * @param testClockStepAfter test only: when, after the start, the wall clock steps
 */
public record NodeConfig(
        HostPort bind,
        HostPort advertise,
        HostPort join,
        NodeId replace,
        Path dataDir,
        int replicationFactor,
        int partitions,
        FsyncMode fsync,
        Duration fsyncInterval,
        int maxKeyBytes,
        int maxValueBytes,
        Duration requestTimeout,
        int eventLoops,
        Duration tombstoneGrace,
        long blockCacheBytes,
        int peerPort,
        byte[] clusterSecret,
        Duration gossipInterval,
        Duration joinTimeout,
        Duration antiEntropyInterval,
        long antiEntropyBytesPerSecond,
        boolean leaveOnShutdown,
        Duration testClockOffset,
        Duration testClockStep,
        Duration testClockStepAfter) {

    /** The largest request body accepted: a maximal value plus room for the JSON around it. */
    public int maxBodyBytes() {
        return maxValueBytes + 64 * 1024;
    }
}
