package io.dynakv.transport;

import io.dynakv.common.NodeId;
import java.time.Duration;

/**
 * Settings of a node's transport.
 *
 * @param self this node's id, sent in every handshake
 * @param advertise the {@code host:port} others reach this node at
 * @param contact the address operators name this node by (its HTTP address), told in handshakes
 * @param bindHost where to listen
 * @param port the node-to-node port
 * @param clusterSecret shared by every node of a cluster; empty means none (development only)
 * @param maxFrameBytes largest frame accepted; a peer that sends more is disconnected
 * @param maxQueuedBytesPerPeer frames waiting for one peer beyond this are dropped (counted), so a
 *     dead peer cannot exhaust memory; protocols treat a drop as a lost message
 * @param connectTimeout how long a dial may take
 * @param handshakeTimeout how long an inbound connection may take to prove the secret
 * @param identity the cluster this node belongs to, stated in every handshake (it changes once,
 *     when a joiner is admitted)
 */
public record TransportConfig(
        NodeId self,
        String advertise,
        String contact,
        String bindHost,
        int port,
        byte[] clusterSecret,
        int maxFrameBytes,
        long maxQueuedBytesPerPeer,
        Duration connectTimeout,
        Duration handshakeTimeout,
        ClusterIdentity identity) {

    /** Room for a maximal value plus its message envelope. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 64 << 20;

    public static final long DEFAULT_MAX_QUEUED_BYTES_PER_PEER = 64L << 20;

    public static TransportConfig defaults(NodeId self, String advertise, String bindHost, int port, byte[] secret) {
        return new TransportConfig(
                self,
                advertise,
                advertise,
                bindHost,
                port,
                secret,
                DEFAULT_MAX_FRAME_BYTES,
                DEFAULT_MAX_QUEUED_BYTES_PER_PEER,
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                ClusterIdentity.none());
    }
}
