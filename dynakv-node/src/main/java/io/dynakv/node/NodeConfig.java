package io.dynakv.node;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A node's settings after parsing and validation ({@link NodeCommand} documents each one).
 *
 * @param bind host and port to listen on
 * @param advertise host and port other nodes and clients are told to use
 * @param join a member to join through, if any
 */
public record NodeConfig(
        HostPort bind,
        HostPort advertise,
        HostPort join,
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
        long blockCacheBytes) {

    /** The largest request body accepted: a maximal value plus room for the JSON around it. */
    public int maxBodyBytes() {
        return maxValueBytes + 64 * 1024;
    }
}
