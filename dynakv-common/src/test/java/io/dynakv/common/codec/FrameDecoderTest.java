package io.dynakv.common.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Length-prefixed framing over a byte stream that arrives in arbitrary chunks. */
class FrameDecoderTest {

    private static final List<byte[]> PAYLOADS =
            List.of(new byte[] {1, 2, 3}, new byte[0], new byte[] {42}, filled(300, 7), new byte[0], filled(5, -1));

    @Example
    void framesSplitAtEveryBoundaryReassembleExactly() {
        byte[] stream = concat(PAYLOADS);
        for (int cut = 0; cut <= stream.length; cut++) {
            FrameDecoder decoder = new FrameDecoder();
            List<byte[]> out = new ArrayList<>(decoder.feed(Arrays.copyOfRange(stream, 0, cut)));
            out.addAll(decoder.feed(Arrays.copyOfRange(stream, cut, stream.length)));

            assertThat(out).as("cut at %d", cut).containsExactlyElementsOf(PAYLOADS);
            assertThat(decoder.atFrameBoundary()).isTrue();
        }
    }

    @Example
    void everyPairOfCutsReassemblesExactly() {
        byte[] stream = concat(List.of(new byte[] {1, 2, 3}, new byte[0], new byte[] {9, 8, 7, 6, 5}));
        for (int a = 0; a <= stream.length; a++) {
            for (int b = a; b <= stream.length; b++) {
                FrameDecoder decoder = new FrameDecoder();
                List<byte[]> out = new ArrayList<>();
                decoder.feed(stream, 0, a, out::add);
                decoder.feed(stream, a, b - a, out::add);
                decoder.feed(stream, b, stream.length - b, out::add);

                assertThat(out)
                        .as("cuts at %d and %d", a, b)
                        .containsExactly(new byte[] {1, 2, 3}, new byte[0], new byte[] {9, 8, 7, 6, 5});
            }
        }
    }

    @Example
    void oneByteAtATime() {
        byte[] stream = concat(PAYLOADS);
        FrameDecoder decoder = new FrameDecoder();
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < stream.length; i++) {
            decoder.feed(stream, i, 1, out::add);
            assertThat(decoder.bufferedBytes()).isLessThanOrEqualTo(FrameDecoder.LENGTH_PREFIX_BYTES + 300);
        }
        assertThat(out).containsExactlyElementsOf(PAYLOADS);
    }

    @Property(tries = 500)
    void randomChunkingReassemblesExactly(
            @ForAll @Size(max = 8) List<@Size(max = 200) byte[]> payloads,
            @ForAll @Size(max = 20) List<@IntRange(min = 0, max = 64) Integer> chunkSizes) {
        byte[] stream = concat(payloads);
        FrameDecoder decoder = new FrameDecoder();
        List<byte[]> out = new ArrayList<>();
        int pos = 0;
        for (int size : chunkSizes) {
            int n = Math.min(size, stream.length - pos);
            decoder.feed(stream, pos, n, out::add);
            pos += n;
        }
        decoder.feed(stream, pos, stream.length - pos, out::add);

        assertThat(out).containsExactlyElementsOf(payloads);
        assertThat(decoder.atFrameBoundary()).isTrue();
    }

    @Example
    void largeFrameGrowsItsBufferAndIsDeliveredWhole() {
        byte[] big = filled(200_000, 3);
        byte[] stream = FrameDecoder.frame(big);
        FrameDecoder decoder = new FrameDecoder();
        List<byte[]> out = new ArrayList<>();
        for (int pos = 0; pos < stream.length; pos += 1000) {
            decoder.feed(stream, pos, Math.min(1000, stream.length - pos), out::add);
        }
        assertThat(out).singleElement().isEqualTo(big);
    }

    @Example
    void oversizedLengthIsRejectedBeforeAllocating() {
        FrameDecoder decoder = new FrameDecoder(1024);
        byte[] prefix = {0, 0, 4, 1}; // 1025

        assertThatThrownBy(() -> decoder.feed(prefix))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("frame length 1025 exceeds the maximum of 1024");
        // The stream is out of step from here on.
        assertThatThrownBy(() -> decoder.feed(new byte[] {1}))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("already failed");
        assertThat(new FrameDecoder(1024).feed(FrameDecoder.frame(new byte[1024])))
                .hasSize(1);
    }

    @Example
    void hugeLengthsCostNoMemory() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (byte[] prefix :
                List.of(new byte[] {-1, -1, -1, -1}, new byte[] {127, -1, -1, -1}, new byte[] {1, 1, 0, 1})) {
            FrameDecoder decoder = new FrameDecoder();
            long before = threads.getCurrentThreadAllocatedBytes();
            assertThatThrownBy(() -> decoder.feed(prefix)).isInstanceOf(MalformedFrameException.class);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertThat(allocated).as("bytes allocated").isLessThan(1 << 20);
        }
    }

    @Example
    void announcedButUnsentFrameAllocatesOnlyWhatArrives() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        FrameDecoder decoder = new FrameDecoder();
        int length = FrameDecoder.DEFAULT_MAX_PAYLOAD_BYTES;
        byte[] prefix = {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length, 1, 2};
        long before = threads.getCurrentThreadAllocatedBytes();
        assertThat(decoder.feed(prefix)).isEmpty();
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(allocated).as("bytes allocated").isLessThan(1 << 20);
        assertThat(decoder.bufferedBytes()).isEqualTo(6);
        assertThat(decoder.atFrameBoundary()).isFalse();
    }

    @Example
    void aThrowingSinkLeavesTheDecoderAtTheNextFrame() {
        byte[] stream = concat(List.of(new byte[] {1}, new byte[] {2}));
        FrameDecoder decoder = new FrameDecoder();
        List<byte[]> out = new ArrayList<>();
        assertThatThrownBy(() -> decoder.feed(stream, 0, stream.length, p -> {
                    throw new IllegalStateException("handler failed");
                }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(decoder.atFrameBoundary()).isTrue();
        decoder.feed(stream, 5, stream.length - 5, out::add);
        assertThat(out).containsExactly(new byte[] {2});
    }

    private static byte[] filled(int n, int b) {
        byte[] bytes = new byte[n];
        Arrays.fill(bytes, (byte) b);
        return bytes;
    }

    private static byte[] concat(List<byte[]> payloads) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : payloads) {
            out.writeBytes(FrameDecoder.frame(p));
        }
        return out.toByteArray();
    }
}
