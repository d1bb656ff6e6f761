package io.dynakv.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dynakv.common.codec.MalformedFrameException;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the length-prefixed framing of node-to-node connections (see fuzz/README.md). A peer's
 * bytes, cut into chunks at any points, must yield exactly the frames a naive whole-stream parse
 * finds; a length above the maximum must be reported once, as a {@link MalformedFrameException},
 * with nothing read after it. Any other exception escapes and is a finding. The maximum is small,
 * so forged lengths of up to 4 GiB are refused before anything is allocated for them.
 */
class FrameReaderFuzzTest {

    private static final int MAX_STREAM_BYTES = 16 * 1024;
    private static final int MAX_CHUNK_BYTES = 97;

    @FuzzTest(maxDuration = "5m")
    void chunkedStreamYieldsTheFramesOfAWholeStreamParse(FuzzedDataProvider data) {
        int maxFrameBytes = data.consumeInt(0, 2048);
        byte[] stream = data.consumeBytes(data.consumeInt(0, MAX_STREAM_BYTES));
        List<byte[]> frames = new ArrayList<>();
        List<MalformedFrameException> errors = new ArrayList<>();
        FrameReader reader = new FrameReader(maxFrameBytes, frames::add, errors::add);
        for (int pos = 0; pos < stream.length; ) {
            int chunk = Math.min(stream.length - pos, data.consumeInt(1, MAX_CHUNK_BYTES));
            reader.handle(Buffer.buffer(Arrays.copyOfRange(stream, pos, pos + chunk)));
            pos += chunk;
        }

        Expected expected = parseWhole(stream, maxFrameBytes);
        assertThat(frames).as("frames").containsExactlyElementsOf(expected.frames());
        assertThat(errors).as("framing errors").hasSize(expected.refused() ? 1 : 0);
    }

    /** What a stream holds: its complete frames, and whether a refused length ends it. */
    private record Expected(List<byte[]> frames, boolean refused) {}

    /** The obvious parse of a whole stream, to compare the incremental reader with. */
    private static Expected parseWhole(byte[] stream, int maxFrameBytes) {
        List<byte[]> frames = new ArrayList<>();
        int pos = 0;
        while (stream.length - pos >= 4) {
            long length = ((stream[pos] & 0xFFL) << 24)
                    | ((stream[pos + 1] & 0xFFL) << 16)
                    | ((stream[pos + 2] & 0xFFL) << 8)
                    | (stream[pos + 3] & 0xFFL);
            if (length > maxFrameBytes) {
                return new Expected(frames, true);
            }
            if (stream.length - pos - 4 < length) {
                break;
            }
            frames.add(Arrays.copyOfRange(stream, pos + 4, pos + 4 + (int) length));
            pos += 4 + (int) length;
        }
        return new Expected(frames, false);
    }
}
