package io.dynakv.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.common.NodeId;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** The handshake proves the secret both ways and binds the dialer's identity. */
class HandshakeTest {

    private final Handshake listener = new Handshake(bytes("secret"));
    private final Handshake dialer = new Handshake(bytes("secret"));
    private final byte[] nonce = new byte[Handshake.NONCE_BYTES];
    private final byte[] listenerNonce = filled(7);

    @Test
    void matchingSecretsCompleteTheHandshake() {
        byte[] hello = Handshake.hello(new NodeId(42), "127.0.0.1:7000", nonce);
        Handshake.Hello parsed = Handshake.parseHello(hello);
        assertThat(parsed.node()).isEqualTo(new NodeId(42));
        assertThat(parsed.address()).isEqualTo("127.0.0.1:7000");

        byte[] theirNonce = dialer.verifyChallenge(hello, listener.challenge(parsed, listenerNonce));
        assertThat(listener.verifyProof(parsed, listenerNonce, dialer.proof(hello, theirNonce)))
                .isTrue();
    }

    @Test
    void aWrongSecretFailsOnBothSides() {
        Handshake impostor = new Handshake(bytes("guess"));
        byte[] hello = Handshake.hello(new NodeId(42), "127.0.0.1:7000", nonce);
        Handshake.Hello parsed = Handshake.parseHello(hello);

        assertThatThrownBy(() -> impostor.verifyChallenge(hello, listener.challenge(parsed, listenerNonce)))
                .hasMessageContaining("secret");
        assertThat(listener.verifyProof(parsed, listenerNonce, impostor.proof(hello, listenerNonce)))
                .isFalse();
    }

    @Test
    void aProofIsBoundToTheHelloAndTheNonce() {
        byte[] hello = Handshake.hello(new NodeId(42), "127.0.0.1:7000", nonce);
        byte[] other = Handshake.hello(new NodeId(43), "127.0.0.1:7000", nonce);
        byte[] proof = dialer.proof(hello, listenerNonce);
        assertThat(listener.verifyProof(Handshake.parseHello(other), listenerNonce, proof))
                .isFalse();
        assertThat(listener.verifyProof(Handshake.parseHello(hello), filled(8), proof))
                .isFalse();
    }

    @Property(tries = 2000)
    void garbageHellosAreRejectedCleanly(@ForAll byte[] garbage) {
        try {
            Handshake.parseHello(garbage);
        } catch (IllegalArgumentException expected) {
            return;
        }
        // Parsed: it must then have been a well-formed hello.
        assertThat(garbage.length).isGreaterThan(3 + 1 + 8 + Handshake.NONCE_BYTES);
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
