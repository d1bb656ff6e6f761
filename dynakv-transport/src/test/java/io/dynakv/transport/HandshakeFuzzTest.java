package io.dynakv.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dynakv.common.NodeId;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes what a stranger can send before it has proved the cluster secret (see fuzz/README.md).
 * A hello either parses, and then says the same when written again, or is refused with the
 * documented {@link IllegalArgumentException}; a challenge nobody with the secret made is always
 * refused. Any other exception escapes and is a finding.
 */
class HandshakeFuzzTest {

    private static final byte[] SECRET = "fuzz-secret".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OUR_HELLO = Handshake.hello(
            new NodeId(7), 0x1234L, 0, "127.0.0.1:16660", "127.0.0.1:6660", new byte[Handshake.NONCE_BYTES]);

    @FuzzTest(maxDuration = "5m")
    void helloParsesToWhatItSaysOrIsRefused(byte[] bytes) {
        Handshake.Hello hello;
        try {
            hello = Handshake.parseHello(bytes);
        } catch (IllegalArgumentException refused) {
            return;
        }
        Handshake.Hello again = Handshake.parseHello(Handshake.hello(
                hello.node(), hello.cluster(), hello.expected(), hello.address(), hello.contact(), hello.nonce()));
        assertThat(again.node()).isEqualTo(hello.node());
        assertThat(again.cluster()).isEqualTo(hello.cluster());
        assertThat(again.expected()).isEqualTo(hello.expected());
        assertThat(again.address()).isEqualTo(hello.address());
        assertThat(again.contact()).isEqualTo(hello.contact());
        assertThat(again.nonce()).isEqualTo(hello.nonce());
    }

    @FuzzTest(maxDuration = "5m")
    void forgedChallengeIsRefused(byte[] challenge) {
        assertThatThrownBy(() -> new Handshake(SECRET).verifyChallenge(OUR_HELLO, challenge))
                .isExactlyInstanceOf(IllegalArgumentException.class);
    }
}
