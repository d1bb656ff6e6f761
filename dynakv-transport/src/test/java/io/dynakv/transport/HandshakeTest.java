package io.dynakv.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.common.NodeId;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** The handshake proves the secret both ways and binds both ends' identities. */
class HandshakeTest {

    private static final NodeId DIALER = new NodeId(42);
    private static final NodeId LISTENER = new NodeId(77);
    private static final long CLUSTER = 0x1234L;

    private final Handshake listener = new Handshake(bytes("secret"));
    private final Handshake dialer = new Handshake(bytes("secret"));
    private final byte[] nonce = new byte[Handshake.NONCE_BYTES];
    private final byte[] listenerNonce = filled(7);

    @Test
    void matchingSecretsCompleteTheHandshake() {
        byte[] hello = Handshake.hello(DIALER, CLUSTER, LISTENER.value(), "127.0.0.1:7000", "127.0.0.1:6660", nonce);
        Handshake.Hello parsed = Handshake.parseHello(hello);
        assertThat(parsed.node()).isEqualTo(DIALER);
        assertThat(parsed.cluster()).isEqualTo(CLUSTER);
        assertThat(parsed.expected()).isEqualTo(LISTENER.value());
        assertThat(parsed.address()).isEqualTo("127.0.0.1:7000");

        Handshake.Challenge proven =
                dialer.verifyChallenge(hello, listener.challenge(parsed, listenerNonce, LISTENER, CLUSTER));
        assertThat(proven.node()).isEqualTo(LISTENER);
        assertThat(proven.cluster()).isEqualTo(CLUSTER);
        assertThat(listener.verifyProof(parsed, listenerNonce, LISTENER, CLUSTER, dialer.proof(hello, proven)))
                .isTrue();
        assertThat(Handshake.refusal(parsed, proven.node(), proven.cluster())).isNull();
    }

    @Test
    void aWrongSecretFailsOnBothSides() {
        Handshake impostor = new Handshake(bytes("guess"));
        byte[] hello = Handshake.hello(DIALER, CLUSTER, 0, "127.0.0.1:7000", "127.0.0.1:6660", nonce);
        Handshake.Hello parsed = Handshake.parseHello(hello);

        assertThatThrownBy(() ->
                        impostor.verifyChallenge(hello, listener.challenge(parsed, listenerNonce, LISTENER, CLUSTER)))
                .hasMessageContaining("secret");
        Handshake.Challenge forged = new Handshake.Challenge(listenerNonce, LISTENER, CLUSTER);
        assertThat(listener.verifyProof(parsed, listenerNonce, LISTENER, CLUSTER, impostor.proof(hello, forged)))
                .isFalse();
    }

    @Test
    void aProofIsBoundToTheHelloAndTheNonce() {
        byte[] hello = Handshake.hello(DIALER, CLUSTER, 0, "127.0.0.1:7000", "127.0.0.1:6660", nonce);
        byte[] other = Handshake.hello(new NodeId(43), CLUSTER, 0, "127.0.0.1:7000", "127.0.0.1:6660", nonce);
        byte[] proof = dialer.proof(hello, new Handshake.Challenge(listenerNonce, LISTENER, CLUSTER));
        assertThat(listener.verifyProof(Handshake.parseHello(other), listenerNonce, LISTENER, CLUSTER, proof))
                .isFalse();
        assertThat(listener.verifyProof(Handshake.parseHello(hello), filled(8), LISTENER, CLUSTER, proof))
                .isFalse();
    }

    @Test
    void theListenerCannotClaimAnotherIdOrClusterThanItProved() {
        byte[] hello = Handshake.hello(DIALER, CLUSTER, LISTENER.value(), "127.0.0.1:7000", "127.0.0.1:6660", nonce);
        byte[] challenge = listener.challenge(Handshake.parseHello(hello), listenerNonce, new NodeId(99), CLUSTER);
        // A man in the middle rewriting the listener's id to the one the dialer expects breaks the MAC.
        byte[] rewritten = challenge.clone();
        rewritten[Handshake.NONCE_BYTES + 7] = (byte) LISTENER.value();
        assertThatThrownBy(() -> dialer.verifyChallenge(hello, rewritten)).hasMessageContaining("secret");
        byte[] otherCluster = challenge.clone();
        otherCluster[Handshake.NONCE_BYTES + 15] ^= 1;
        assertThatThrownBy(() -> dialer.verifyChallenge(hello, otherCluster)).hasMessageContaining("secret");
    }

    @Test
    void aWipedNodeAtAnAddressIsNotTheNodeTheDialerMeant() {
        NodeId restarted = new NodeId(1001);
        Handshake.Hello hello = Handshake.parseHello(
                Handshake.hello(DIALER, CLUSTER, LISTENER.value(), "127.0.0.1:7000", "127.0.0.1:6660", nonce));
        // Even with the cluster id unknown (none), the wrong node at the address is refused.
        assertThat(Handshake.refusal(hello, restarted, ClusterIdentity.NONE))
                .contains("meant to reach node " + LISTENER)
                .contains("node " + restarted + " answers");
    }

    @Test
    void nodesOfDifferentClustersRefuseEachOther() {
        Handshake.Hello hello =
                Handshake.parseHello(Handshake.hello(DIALER, CLUSTER, 0, "127.0.0.1:7000", "127.0.0.1:6660", nonce));
        assertThat(Handshake.refusal(hello, LISTENER, 0x9999L))
                .contains("cluster " + ClusterIdentity.format(CLUSTER))
                .contains("cluster " + ClusterIdentity.format(0x9999L));
    }

    @Test
    void aNodeWithoutAClusterYetMayTalkToAnyCluster() {
        Handshake.Hello joiner = Handshake.parseHello(
                Handshake.hello(DIALER, ClusterIdentity.NONE, 0, "127.0.0.1:7000", "127.0.0.1:6660", nonce));
        assertThat(Handshake.refusal(joiner, LISTENER, CLUSTER)).isNull();
        Handshake.Hello member =
                Handshake.parseHello(Handshake.hello(DIALER, CLUSTER, 0, "127.0.0.1:7000", "127.0.0.1:6660", nonce));
        assertThat(Handshake.refusal(member, LISTENER, ClusterIdentity.NONE)).isNull();
    }

    @Test
    void anOlderProtocolVersionIsRefusedWithWhatToDo() {
        byte[] hello = Handshake.hello(DIALER, CLUSTER, 0, "127.0.0.1:7000", "127.0.0.1:6660", nonce);
        hello[3] = 2;
        assertThatThrownBy(() -> Handshake.parseHello(hello))
                .hasMessageContaining("version 2")
                .hasMessageContaining("same DynaKV version");
    }

    @Property(tries = 2000)
    void garbageHellosAreRejectedCleanly(@ForAll byte[] garbage) {
        try {
            Handshake.parseHello(garbage);
        } catch (IllegalArgumentException expected) {
            return;
        }
        // Parsed: it must then have been a well-formed hello.
        assertThat(garbage.length).isGreaterThan(3 + 1 + 8 + 8 + 8 + 2 + Handshake.NONCE_BYTES);
    }

    private static byte[] filled(int b) {
        byte[] out = new byte[Handshake.NONCE_BYTES];
        java.util.Arrays.fill(out, (byte) b);
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
