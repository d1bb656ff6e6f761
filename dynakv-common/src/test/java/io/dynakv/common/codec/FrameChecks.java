package io.dynakv.common.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.common.message.Message;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The robustness checks every protocol's codec test makes (shared through this module's
 * test-jar): a bit flip anywhere is caught, and bytes that get past the header and checksum either
 * decode to a message that re-encodes to exactly those bytes or fail as malformed, never anything
 * else. So garbage can never turn into a different message.
 */
public final class FrameChecks {

    /** Header: schema version and type id; trailer: CRC-32C. */
    private static final int HEADER_BYTES = 3;

    private static final int TRAILER_BYTES = 4;

    private FrameChecks() {}

    public static void assertEveryBitFlipIsMalformed(MessageCodec codec, Message message) {
        byte[] frame = codec.encode(message);
        for (int bit = 0; bit < frame.length * 8; bit++) {
            byte[] flipped = frame.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            int at = bit;
            assertThatThrownBy(() -> codec.decode(flipped))
                    .as("bit %d of %s", at, message)
                    .isExactlyInstanceOf(MalformedFrameException.class);
        }
    }

    public static void assertDecodesExactlyOrIsMalformed(MessageCodec codec, byte[] frame) {
        Message decoded;
        try {
            decoded = codec.decode(frame);
        } catch (MalformedFrameException expected) {
            return;
        }
        assertThat(codec.encode(decoded)).isEqualTo(frame);
    }

    /** A frame of the current schema with {@code body} under {@code typeId} and a valid checksum. */
    public static byte[] frame(int typeId, byte[] body) {
        byte[] frame = new byte[HEADER_BYTES + body.length + TRAILER_BYTES];
        frame[0] = (byte) MessageCodec.SCHEMA_VERSION;
        frame[1] = (byte) (typeId >>> 8);
        frame[2] = (byte) typeId;
        System.arraycopy(body, 0, frame, HEADER_BYTES, body.length);
        return withChecksum(frame);
    }

    /** A valid frame with body bytes at {@code positions} set to {@code values}, checksum fixed. */
    public static byte[] mutatedBody(byte[] frame, List<Integer> positions, List<Byte> values) {
        byte[] out = frame.clone();
        int bodyLength = out.length - HEADER_BYTES - TRAILER_BYTES;
        if (bodyLength > 0) {
            for (int i = 0; i < positions.size(); i++) {
                out[HEADER_BYTES + positions.get(i) % bodyLength] = values.get(i);
            }
        }
        return withChecksum(out);
    }

    /** Rewrites the trailing CRC-32C over everything before it. */
    public static byte[] withChecksum(byte[] frame) {
        CRC32C crc = new CRC32C();
        crc.update(frame, 0, frame.length - TRAILER_BYTES);
        int v = (int) crc.getValue();
        for (int i = 0; i < TRAILER_BYTES; i++) {
            frame[frame.length - TRAILER_BYTES + i] = (byte) (v >>> (24 - 8 * i));
        }
        return frame;
    }
}
