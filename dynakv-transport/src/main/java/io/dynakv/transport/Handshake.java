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
 * the dialing node names itself. Three frames:
 *
 * <ol>
 *   <li>hello, dialer to listener: {@code "DKV" [version] [node id] [address] [nonce]}
 *   <li>challenge, listener to dialer: {@code [nonce'] [HMAC(secret, "S" hello nonce')]}
 *   <li>proof, dialer to listener: {@code [HMAC(secret, "C" hello nonce')]}
 * </ol>
 *
 * Fresh nonces on both sides make every proof single-use, so a recorded handshake cannot be
 * replayed; the hello is inside both MACs, so the dialer's claimed identity cannot be swapped.
 * Only after the proof checks out does the listener accept frames on the connection.
 */
final class Handshake {

    /**
     * The node-to-node protocol's version; nodes of different versions refuse each other with a
     * clear message. 2: a replica's failure says whether its disk is full (ReplicationCodecs).
     * 3: replica requests carry the coordinator's ring epoch; HandoffDone (StreamCodecs).
     */
    static final int VERSION = 3;

    static final int NONCE_BYTES = 16;
    private static final byte[] MAGIC = {'D', 'K', 'V'};
    private static final int MAC_BYTES = 32;
    private static final int MAX_ADDRESS_BYTES = 512;

    /** What a hello says about the dialer. */
    record Hello(NodeId node, String address, byte[] nonce, byte[] bytes) {}

    private final SecretKeySpec key;

    Handshake(byte[] clusterSecret) {
        // HMAC needs a non-empty key; an unset secret is the single byte 0, documented as "none".
        this.key = new SecretKeySpec(clusterSecret.length == 0 ? new byte[1] : clusterSecret.clone(), "HmacSHA256");
    }

    static byte[] hello(NodeId self, String address, byte[] nonce) {
        return new ByteWriter(64)
                .writeBytes(MAGIC)
                .writeByte(VERSION)
                .writeLong(self.value())
                .writeLengthPrefixed(address.getBytes(StandardCharsets.UTF_8))
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
            throw new IllegalArgumentException(
                    "node-to-node protocol version " + version + ", this node speaks " + VERSION);
        }
        NodeId node = new NodeId(in.readLong());
        byte[] address = in.readLengthPrefixed();
        if (address.length > MAX_ADDRESS_BYTES) {
            throw new IllegalArgumentException("address too long");
        }
        byte[] nonce = in.readBytes(NONCE_BYTES);
        if (in.remaining() != 0) {
            throw new IllegalArgumentException("trailing bytes in hello");
        }
        return new Hello(node, new String(address, StandardCharsets.UTF_8), nonce, bytes);
    }

    byte[] challenge(Hello hello, byte[] listenerNonce) {
        return new ByteWriter(NONCE_BYTES + MAC_BYTES)
                .writeBytes(listenerNonce)
                .writeBytes(mac('S', hello.bytes(), listenerNonce))
                .toByteArray();
    }

    /** Checks the listener's challenge; returns the listener's nonce, or throws if it lacks the secret. */
    byte[] verifyChallenge(byte[] helloBytes, byte[] challenge) {
        if (challenge.length != NONCE_BYTES + MAC_BYTES) {
            throw new IllegalArgumentException("malformed challenge");
        }
        byte[] nonce = Arrays.copyOf(challenge, NONCE_BYTES);
        byte[] mac = Arrays.copyOfRange(challenge, NONCE_BYTES, challenge.length);
        if (!MessageDigest.isEqual(mac, mac('S', helloBytes, nonce))) {
            throw new IllegalArgumentException("the other node does not hold this cluster's secret");
        }
        return nonce;
    }

    byte[] proof(byte[] helloBytes, byte[] listenerNonce) {
        return mac('C', helloBytes, listenerNonce);
    }

    boolean verifyProof(Hello hello, byte[] listenerNonce, byte[] proof) {
        return MessageDigest.isEqual(proof, mac('C', hello.bytes(), listenerNonce));
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
