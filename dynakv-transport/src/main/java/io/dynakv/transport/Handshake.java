package io.dynakv.transport;

import io.dynakv.common.NodeId;
import io.dynakv.common.codec.ByteReader;
import io.dynakv.common.codec.ByteWriter;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The connection handshake: both ends prove they hold the cluster secret, without sending it, and
 * both name themselves: their node id and their cluster id. Three frames:
 *
 * <ol>
 *   <li>hello, dialer to listener: {@code "DKV" [version] [node id] [cluster id] [expected
 *       listener id, 0 = any] [address] [contact] [nonce]}
 *   <li>challenge, listener to dialer: {@code [nonce'] [node id] [cluster id] [HMAC(secret, "S"
 *       hello nonce' node cluster)]}
 *   <li>proof, dialer to listener: {@code [HMAC(secret, "C" hello nonce' node cluster)]}
 * </ol>
 *
 * Fresh nonces on both sides make every proof single-use, so a recorded handshake cannot be
 * replayed; both identities are inside both MACs, so neither can be swapped. So a dialer knows it
 * reached the node it meant (not whatever now listens at that address: a node wiped and restarted
 * there has a new id), and each side knows the other's cluster. Each end applies the same rules
 * ({@link #refusal}) and refuses a connection from or to another cluster, or to another node than
 * the one meant; the listener still sends its challenge first, so the dialer learns why. Only
 * after the proof checks out does the listener accept frames on the connection.
 */
final class Handshake {

    /**
     * The node-to-node protocol's version; nodes of different versions refuse each other with a
     * clear message. 2: a replica's failure says whether its disk is full (ReplicationCodecs).
     * 3: the handshake names both ends' node and cluster ids, joins carry the cluster id, replica
     * requests carry the coordinator's ring epoch (HandoffDone in StreamCodecs), and a write
     * acknowledgement says whether the write met a concurrent version (ReplicationCodecs).
     */
    static final int VERSION = 3;

    static final int NONCE_BYTES = 16;
    private static final byte[] MAGIC = {'D', 'K', 'V'};
    private static final int MAC_BYTES = 32;
    private static final int CHALLENGE_BYTES = NONCE_BYTES + 8 + 8 + MAC_BYTES;
    private static final int MAX_ADDRESS_BYTES = 512;

    /**
     * What a hello says about the dialer, and whom it means to reach ({@code 0}: whoever listens).
     * {@code contact} is the address operators name the dialer by (its HTTP address), so a node that
     * refuses it can tell the operator a command that works.
     */
    record Hello(
            NodeId node, long cluster, long expected, String address, String contact, byte[] nonce, byte[] bytes) {}

    /** What a verified challenge proves about the listener. */
    record Challenge(byte[] nonce, NodeId node, long cluster) {}

    private final SecretKeySpec key;

    Handshake(byte[] clusterSecret) {
        // HMAC needs a non-empty key; an unset secret is the single byte 0, documented as "none".
        this.key = new SecretKeySpec(clusterSecret.length == 0 ? new byte[1] : clusterSecret.clone(), "HmacSHA256");
    }

    static byte[] hello(NodeId self, long cluster, long expected, String address, String contact, byte[] nonce) {
        return new ByteWriter(96)
                .writeBytes(MAGIC)
                .writeByte(VERSION)
                .writeLong(self.value())
                .writeLong(cluster)
                .writeLong(expected)
                .writeLengthPrefixed(address.getBytes(StandardCharsets.UTF_8))
                .writeLengthPrefixed(contact.getBytes(StandardCharsets.UTF_8))
                .writeBytes(nonce)
                .toByteArray();
    }

    /** Parses a hello; throws {@link IllegalArgumentException} for anything else. */
    static Hello parseHello(byte[] bytes) {
        ByteReader in = new ByteReader(bytes);
        if (!Arrays.equals(in.readBytes(MAGIC.length), MAGIC)) {
            throw new IllegalArgumentException("not a DynaKV node (bad magic)");
        }
        int version = in.readByte();
        if (version != VERSION) {
            throw new IllegalArgumentException("node-to-node protocol version " + version + ", this node speaks "
                    + VERSION + ": run the same DynaKV version on every node");
        }
        NodeId node = new NodeId(in.readLong());
        long cluster = in.readLong();
        long expected = in.readLong();
        byte[] address = in.readLengthPrefixed();
        byte[] contact = in.readLengthPrefixed();
        if (address.length > MAX_ADDRESS_BYTES || contact.length > MAX_ADDRESS_BYTES) {
            throw new IllegalArgumentException("address too long");
        }
        byte[] nonce = in.readBytes(NONCE_BYTES);
        if (in.remaining() != 0) {
            throw new IllegalArgumentException("trailing bytes in hello");
        }
        return new Hello(
                node,
                cluster,
                expected,
                new String(address, StandardCharsets.UTF_8),
                new String(contact, StandardCharsets.UTF_8),
                nonce,
                bytes);
    }

    /**
     * Why a connection between these two ends must not open, or null when it may: the same rule
     * on both ends, each applying it to what the other proved.
     *
     * @param hello the dialer's hello
     * @param listener the listener's node id
     * @param listenerCluster the listener's cluster id
     */
    static String refusal(Hello hello, NodeId listener, long listenerCluster) {
        if (!ClusterIdentity.compatible(hello.cluster(), listenerCluster)) {
            return "node " + hello.node() + " belongs to cluster " + ClusterIdentity.format(hello.cluster())
                    + " and node " + listener + " to cluster " + ClusterIdentity.format(listenerCluster)
                    + ": nodes of different clusters never talk";
        }
        if (hello.expected() != 0 && hello.expected() != listener.value()) {
            return "node " + hello.node() + " meant to reach node " + new NodeId(hello.expected()) + " but node "
                    + listener + " answers at that address (was the node there wiped and restarted with a new"
                    + " identity?)";
        }
        return null;
    }

    byte[] challenge(Hello hello, byte[] listenerNonce, NodeId listener, long listenerCluster) {
        byte[] body = challengeBody(listenerNonce, listener, listenerCluster);
        return new ByteWriter(CHALLENGE_BYTES)
                .writeBytes(body)
                .writeBytes(mac('S', hello.bytes(), body))
                .toByteArray();
    }

    /** Checks the listener's challenge; returns what it proves, or throws if it lacks the secret. */
    Challenge verifyChallenge(byte[] helloBytes, byte[] challenge) {
        if (challenge.length != CHALLENGE_BYTES) {
            throw new IllegalArgumentException("malformed challenge");
        }
        byte[] body = Arrays.copyOf(challenge, CHALLENGE_BYTES - MAC_BYTES);
        byte[] mac = Arrays.copyOfRange(challenge, body.length, challenge.length);
        if (!MessageDigest.isEqual(mac, mac('S', helloBytes, body))) {
            throw new IllegalArgumentException("the other node does not hold this cluster's secret");
        }
        ByteReader in = new ByteReader(body);
        byte[] nonce = in.readBytes(NONCE_BYTES);
        return new Challenge(nonce, new NodeId(in.readLong()), in.readLong());
    }

    byte[] proof(byte[] helloBytes, Challenge challenge) {
        return mac('C', helloBytes, challengeBody(challenge.nonce(), challenge.node(), challenge.cluster()));
    }

    boolean verifyProof(Hello hello, byte[] listenerNonce, NodeId listener, long listenerCluster, byte[] proof) {
        return MessageDigest.isEqual(
                proof, mac('C', hello.bytes(), challengeBody(listenerNonce, listener, listenerCluster)));
    }

    private static byte[] challengeBody(byte[] nonce, NodeId node, long cluster) {
        return new ByteWriter(NONCE_BYTES + 16)
                .writeBytes(nonce)
                .writeLong(node.value())
                .writeLong(cluster)
                .toByteArray();
    }

    private byte[] mac(char role, byte[] hello, byte[] nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update((byte) role);
            mac.update(hello);
            mac.update(nonce);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
