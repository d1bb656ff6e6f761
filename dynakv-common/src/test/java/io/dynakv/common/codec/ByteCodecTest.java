package io.dynakv.common.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** ByteWriter and ByteReader: round trips, exact varint bytes, and hostile input. */
class ByteCodecTest {

    /** One field of a mixed record: written one way, read back and checked the same way. */
    interface Field {
        void write(ByteWriter out);

        void check(ByteReader in);
    }

    record U8(int v) implements Field {
        @Override
        public void write(ByteWriter out) {
            out.writeByte(v);
        }

        @Override
        public void check(ByteReader in) {
            assertThat(in.readByte()).isEqualTo(v);
        }
    }

    record U16(int v) implements Field {
        @Override
        public void write(ByteWriter out) {
            out.writeShort(v);
        }

        @Override
        public void check(ByteReader in) {
            assertThat(in.readShort()).isEqualTo(v);
        }
    }

    record I32(int v) implements Field {
        @Override
        public void write(ByteWriter out) {
            out.writeInt(v);
        }

        @Override
        public void check(ByteReader in) {
            assertThat(in.readInt()).isEqualTo(v);
        }
    }

    record I64(long v) implements Field {
        @Override
        public void write(ByteWriter out) {
            out.writeLong(v);
        }

        @Override
        public void check(ByteReader in) {
            assertThat(in.readLong()).isEqualTo(v);
        }
    }

    record VarLong(long v) implements Field {
        @Override
        public void write(ByteWriter out) {
            out.writeVarLong(v);
        }

        @Override
        public void check(ByteReader in) {
            assertThat(in.readVarLong()).isEqualTo(v);
        }
    }

    @SuppressWarnings("ArrayRecordComponent") // test data, never compared as a record
    record Bytes(byte[] v) implements Field {
        @Override
        public void write(ByteWriter out) {
            out.writeBytes(v);
        }

        @Override
        public void check(ByteReader in) {
            assertThat(in.readBytes(v.length)).isEqualTo(v);
        }
    }

    @SuppressWarnings("ArrayRecordComponent")
    record Prefixed(byte[] v) implements Field {
        @Override
        public void write(ByteWriter out) {
            out.writeLengthPrefixed(v);
        }

        @Override
        public void check(ByteReader in) {
            assertThat(in.readLengthPrefixed()).isEqualTo(v);
        }
    }

    private static final List<Long> VARINT_EDGES = List.of(
            0L,
            1L,
            127L,
            128L,
            16_383L,
            16_384L,
            (1L << 56) - 1,
            1L << 56,
            (1L << 63) - 1,
            Long.MAX_VALUE,
            -1L,
            Long.MIN_VALUE);

    @Provide
    Arbitrary<List<Field>> records() {
        Arbitrary<Long> varints = Arbitraries.oneOf(Arbitraries.of(VARINT_EDGES), Arbitraries.longs());
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
        Arbitrary<Field> field = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 255).map(U8::new),
                Arbitraries.integers().between(0, 0xFFFF).map(U16::new),
                Arbitraries.integers().map(I32::new),
                Arbitraries.longs().map(I64::new),
                varints.map(VarLong::new),
                bytes.map(Bytes::new),
                bytes.map(Prefixed::new));
        return field.list().ofMaxSize(30);
    }

    @Property
    void mixedRecordsRoundTrip(@ForAll("records") List<Field> fields) {
        ByteWriter out = new ByteWriter(0); // also exercises growth from the smallest buffer
        fields.forEach(f -> f.write(out));
        byte[] bytes = out.toByteArray();
        assertThat(bytes).hasSize(out.size());
        ByteReader in = new ByteReader(bytes);
        fields.forEach(f -> f.check(in));
        assertThat(in.remaining()).isZero();
        assertThat(in.position()).isEqualTo(bytes.length);
        assertThatThrownBy(in::readByte).isInstanceOf(IllegalArgumentException.class);
    }

    @Example
    void varintsHaveTheirExpectedLengthAndBytes() {
        assertThat(varint(0)).containsExactly(0x00);
        assertThat(varint(127)).containsExactly(0x7F);
        assertThat(varint(128)).containsExactly(0x80, 0x01);
        assertThat(varint(300)).containsExactly(0xAC, 0x02);
        assertThat(varint(Long.MAX_VALUE)).hasSize(9);
        assertThat(varint(-1)).containsExactly(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01);
        assertThat(varint(Long.MIN_VALUE)).containsExactly(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
        for (long v : VARINT_EDGES) {
            assertThat(new ByteReader(bytes(varint(v))).readVarLong())
                    .as("varint %d", v)
                    .isEqualTo(v);
        }
    }

    @Example
    void fixedWidthNumbersAreBigEndian() {
        byte[] b = new ByteWriter(0)
                .writeShort(0x0102)
                .writeInt(0x03040506)
                .writeLong(0x0708090A0B0C0D0EL)
                .toByteArray();
        assertThat(b).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
    }

    @Example
    void malformedVarintsAreRejected() {
        int[][] cases = {
            {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02}, // overflows 64 bits
            {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, // overflows 64 bits
            {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, // 11 bytes
            {0x80, 0x00}, // zero in two bytes
            {0xFF, 0x00}, // 127 in two bytes
            {0x80}, // truncated
            {}, // nothing
        };
        for (int[] c : cases) {
            assertThatThrownBy(() -> new ByteReader(bytes(c)).readVarLong())
                    .as("varint %s", java.util.Arrays.toString(c))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** Whatever the bytes, a varint read either fails with IAE or re-encodes to exactly what it read. */
    @Property(tries = 2000)
    void acceptedVarintsAreCanonical(@ForAll @Size(max = 12) byte[] bytes) {
        ByteReader in = new ByteReader(bytes);
        long v;
        try {
            v = in.readVarLong();
        } catch (IllegalArgumentException expected) {
            return;
        }
        byte[] encoded = new ByteWriter(0).writeVarLong(v).toByteArray();
        assertThat(java.util.Arrays.copyOf(bytes, in.position())).isEqualTo(encoded);
    }

    @Example
    void readingPastTheEndThrows() {
        byte[] three = {1, 2, 3};
        assertThatThrownBy(() -> new ByteReader(three).readInt()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ByteReader(three).readLong()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ByteReader(three, 2, 1).readShort()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ByteReader(three).readBytes(4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ByteReader(three).readBytes(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ByteReader(new byte[0]).readByte()).isInstanceOf(IllegalArgumentException.class);
        ByteReader window = new ByteReader(three, 1, 1);
        assertThat(window.readByte()).isEqualTo(2);
        assertThatThrownBy(window::readByte).isInstanceOf(IllegalArgumentException.class);
        assertThat(new ByteReader(three, 1, 2).readRest()).containsExactly(2, 3);
    }

    @Example
    void windowOutsideTheArrayIsRejected() {
        byte[] three = {1, 2, 3};
        assertThatThrownBy(() -> new ByteReader(three, 2, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ByteReader(three, -1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ByteReader(three, 1, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ByteReader(three, 1, Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** A length prefix larger than what is left must fail before anything of that size is allocated. */
    @Example
    void lyingLengthPrefixThrowsWithoutAllocating() {
        long[] lies = {4, Integer.MAX_VALUE, 1L << 40, Long.MAX_VALUE, -1, Long.MIN_VALUE, 0xFFFF_FFFF_0000_0000L};
        for (long lie : lies) {
            byte[] bytes = new ByteWriter(0)
                    .writeVarLong(lie)
                    .writeBytes(new byte[] {1, 2, 3})
                    .toByteArray();
            assertThatThrownBy(() -> new ByteReader(bytes).readLengthPrefixed())
                    .as("length %d", lie)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Property
    void anyLengthPrefixOverArbitraryBytesThrowsIaeOrFits(@ForAll long length, @ForAll @Size(max = 20) byte[] rest) {
        byte[] bytes = new ByteWriter(0).writeVarLong(length).writeBytes(rest).toByteArray();
        try {
            byte[] read = new ByteReader(bytes).readLengthPrefixed();
            assertThat((long) read.length).isEqualTo(length);
        } catch (IllegalArgumentException expected) {
            assertThat(length < 0 || length > rest.length).isTrue();
        }
    }

    @Example
    void backingArrayHoldsTheWrittenPrefix() {
        ByteWriter out = new ByteWriter(0).writeInt(0x01020304);
        assertThat(out.size()).isEqualTo(4);
        assertThat(java.util.Arrays.copyOf(out.array(), out.size())).containsExactly(1, 2, 3, 4);
        assertThat(new ByteWriter(0).writeBytes(new byte[] {9, 8, 7, 6}, 1, 2).toByteArray())
                .containsExactly(8, 7);
    }

    private static int[] varint(long v) {
        byte[] b = new ByteWriter(0).writeVarLong(v).toByteArray();
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xFF;
        }
        return out;
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
