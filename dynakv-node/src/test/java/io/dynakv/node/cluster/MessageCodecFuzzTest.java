package io.dynakv.node.cluster;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dynakv.common.codec.FrameChecks;
import io.dynakv.common.codec.MessageCodec;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the node-to-node payload decoder with every message kind a node registers (see
 * fuzz/README.md). Any bytes either decode to a message that encodes back to exactly those bytes,
 * or fail as a {@code MalformedFrameException}; any other exception escapes and is a finding.
 *
 * <p>Input layout: an even first byte asks for a frame the fuzzer could not forge alone, its second
 * byte picking a registered type id and the rest becoming the body, with the header and a valid
 * CRC32C put around it, so mutations reach the message decoders. Any other input is decoded as it
 * is, to cover the header, length and checksum checks.
 */
class MessageCodecFuzzTest {

    private static final MessageCodec CODEC = Cluster.codec(1 << 20);
    private static final List<Integer> TYPE_IDS = CODEC.typeIds();

    @FuzzTest(maxDuration = "5m")
    void payloadDecodesToWhatItEncodesOrIsMalformed(byte[] input) {
        FrameChecks.assertDecodesExactlyOrIsMalformed(CODEC, payload(input));
    }

    private static byte[] payload(byte[] input) {
        if (input.length < 2 || (input[0] & 1) != 0) {
            return input;
        }
        int typeId = TYPE_IDS.get((input[1] & 0xFF) % TYPE_IDS.size());
        return FrameChecks.frame(typeId, Arrays.copyOfRange(input, 2, input.length));
    }
}
