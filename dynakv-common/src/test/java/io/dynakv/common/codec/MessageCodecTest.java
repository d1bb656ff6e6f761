package io.dynakv.common.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.common.message.Message;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** The frame payload around a message: registry rules, round trips and every way a frame can be bad. */
class MessageCodecTest {

    record Note(long id, String text) implements Message {}

    record Empty() implements Message {}

    record Unregistered() implements Message {}

    static class NotFinal implements Message {}

    static MessageCodec codec() {
        return new MessageCodec()
                .register(
                        7,
                        Note.class,
                        (m, out) -> out.writeLong(m.id())
                                .writeLengthPrefixed(m.text().getBytes(StandardCharsets.UTF_8)),
                        in -> new Note(in.readLong(), new String(in.readLengthPrefixed(), StandardCharsets.UTF_8)))
                .register(300, Empty.class, (m, out) -> {}, in -> new Empty());
    }

    @Property(tries = 300)
    void roundTrips(@ForAll long id, @ForAll @StringLength(max = 50) String ascii) {
        String text =
                ascii.chars().mapToObj(c -> String.valueOf((char) (c & 0x7F))).reduce("", String::concat);
        MessageCodec codec = codec();
        Note note = new Note(id, text);

        byte[] payload = codec.encode(note);

        assertThat(codec.decode(payload)).isEqualTo(note);
        assertThat(payload[0]).isEqualTo((byte) MessageCodec.SCHEMA_VERSION);
        assertThat(new ByteReader(payload, 1, 2).readShort()).isEqualTo(7);
        assertThat(codec.encodeFramed(note)).isEqualTo(FrameDecoder.frame(payload));
    }

    @Example
    void emptyBodyIsTheSmallestFrame() {
        byte[] payload = codec().encode(new Empty());

        assertThat(payload).hasSize(MessageCodec.HEADER_BYTES + MessageCodec.TRAILER_BYTES);
        assertThat(codec().decode(payload)).isEqualTo(new Empty());
    }

    @Example
    void registrationRejectsDuplicatesAndBadIds() {
        MessageCodec codec = codec();

        assertThatThrownBy(() -> codec.register(7, Empty2.class, (m, out) -> {}, in -> new Empty2()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("type id 7 is already registered")
                .hasMessageContaining("Note");
        assertThatThrownBy(() -> codec.register(8, Note.class, (m, out) -> {}, in -> new Note(0, "")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already registered under type id 7");
        assertThatThrownBy(() -> codec.register(0, Empty2.class, (m, out) -> {}, in -> new Empty2()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.register(0x10000, Empty2.class, (m, out) -> {}, in -> new Empty2()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.register(9, NotFinal.class, (m, out) -> {}, in -> new NotFinal()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("final");
        assertThat(codec.typeIds()).containsExactly(7, 300);
        assertThat(codec.typeIdOf(Note.class)).isEqualTo(7);
        assertThat(codec.typeIdOf(Unregistered.class)).isEqualTo(-1);
    }

    record Empty2() implements Message {}

    @Example
    void encodingAnUnregisteredKindFails() {
        assertThatThrownBy(() -> codec().encode(new Unregistered()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unregistered");
    }

    @Example
    void encodingAboveTheMaximumFails() {
        MessageCodec small = new MessageCodec(32)
                .register(
                        7,
                        Note.class,
                        (m, out) -> out.writeLong(m.id())
                                .writeLengthPrefixed(m.text().getBytes(StandardCharsets.UTF_8)),
                        in -> new Note(in.readLong(), new String(in.readLengthPrefixed(), StandardCharsets.UTF_8)));

        assertThat(small.decode(small.encode(new Note(1, "x".repeat(16))))).isEqualTo(new Note(1, "x".repeat(16)));
        assertThatThrownBy(() -> small.encode(new Note(1, "x".repeat(17))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maximum of 32");
        byte[] big = codec().encode(new Note(1, "x".repeat(17)));
        assertThatThrownBy(() -> small.decode(big))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("exceeds");
    }

    @Example
    void newerSchemaVersionIsReportedAsSuch() {
        byte[] frame = withChecksum(new byte[] {2, 0, 7, 0, 0, 0, 0});

        assertThatThrownBy(() -> codec().decode(frame))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("schema version 2 is not supported")
                .hasMessageContaining("newer");
    }

    @Example
    void unknownTypeIsNamed() {
        byte[] frame = withChecksum(new byte[] {1, 0x12, 0x34, 0, 0, 0, 0});

        assertThatThrownBy(() -> codec().decode(frame))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("unknown message type id 4660 (0x1234)");
    }

    @Example
    void checksumMismatchIsReported() {
        byte[] frame = codec().encode(new Note(5, "hello"));
        frame[frame.length - 1] ^= 1;

        assertThatThrownBy(() -> codec().decode(frame))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("checksum");
    }

    @Example
    void bodyMustBeConsumedExactly() {
        MessageCodec lax = new MessageCodec()
                .register(
                        7,
                        Note.class,
                        (m, out) -> out.writeLong(m.id())
                                .writeLengthPrefixed(m.text().getBytes(StandardCharsets.UTF_8)),
                        in -> new Note(in.readLong(), ""));

        assertThatThrownBy(() -> lax.decode(lax.encode(new Note(1, "abc"))))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("4 bytes left after the body of Note (type id 7)");
    }

    @Example
    void decoderFailuresBecomeMalformedFrames() {
        // A Note whose text length claims more bytes than the body holds, with a valid checksum.
        ByteWriter body =
                new ByteWriter(16).writeByte(1).writeShort(7).writeLong(1).writeVarLong(1000);
        byte[] frame = withChecksum(appendCrcRoom(body.toByteArray()));

        assertThatThrownBy(() -> codec().decode(frame))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("malformed Note")
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Example
    void tooShortFramesAreMalformed() {
        for (int n = 0; n < MessageCodec.HEADER_BYTES + MessageCodec.TRAILER_BYTES; n++) {
            byte[] frame = new byte[n];
            assertThatThrownBy(() -> codec().decode(frame))
                    .isInstanceOf(MalformedFrameException.class)
                    .hasMessageContaining("shorter");
        }
    }

    @Property(tries = 50)
    void everySingleBitFlipIsDetected(@ForAll long id, @ForAll @Size(max = 40) byte[] raw) {
        MessageCodec codec = codec();
        byte[] frame = codec.encode(new Note(id, new String(raw, StandardCharsets.ISO_8859_1)));
        for (int bit = 0; bit < frame.length * 8; bit++) {
            byte[] flipped = frame.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> codec.decode(flipped))
                    .as("bit %d", bit)
                    .isExactlyInstanceOf(MalformedFrameException.class);
        }
    }

    @Property(tries = 5000)
    void arbitraryBytesOnlyEverFailAsMalformed(@ForAll @Size(max = 64) byte[] garbage) {
        assertOnlyMalformed(codec(), garbage);
    }

    @Property(tries = 3000)
    void garbageWithAValidHeaderAndChecksumOnlyFailsAsMalformed(
            @ForAll boolean note, @ForAll @Size(max = 48) byte[] body) {
        byte[] frame = new byte[MessageCodec.HEADER_BYTES + body.length + MessageCodec.TRAILER_BYTES];
        frame[0] = 1;
        frame[2] = (byte) (note ? 7 : 44);
        frame[1] = (byte) (note ? 0 : 1);
        System.arraycopy(body, 0, frame, MessageCodec.HEADER_BYTES, body.length);
        assertOnlyMalformed(codec(), withChecksum(frame));
    }

    static void assertOnlyMalformed(MessageCodec codec, byte[] frame) {
        try {
            Message m = codec.decode(frame);
            // Garbage can, rarely, be a valid frame; then it is one of the registered kinds.
            assertThat(codec.typeIdOf(m.getClass())).isPositive();
        } catch (MalformedFrameException expected) {
            // the one allowed failure
        }
    }

    private static byte[] appendCrcRoom(byte[] bytes) {
        return java.util.Arrays.copyOf(bytes, bytes.length + MessageCodec.TRAILER_BYTES);
    }

    /** Overwrites the last four bytes with the CRC32C of the rest. */
    static byte[] withChecksum(byte[] frame) {
        CRC32C crc = new CRC32C();
        crc.update(frame, 0, frame.length - 4);
        int v = (int) crc.getValue();
        frame[frame.length - 4] = (byte) (v >>> 24);
        frame[frame.length - 3] = (byte) (v >>> 16);
        frame[frame.length - 2] = (byte) (v >>> 8);
        frame[frame.length - 1] = (byte) v;
        return frame;
    }
}
