package io.dynakv.common;

import static io.dynakv.common.Vectors.Event;
import static io.dynakv.common.Vectors.fromHistory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.common.codec.ByteWriter;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Stored versions: the record format with its checksum, and the order among concurrent versions. */
class VersionedTest {

    private static final NodeId A = new NodeId(1);

    @Provide
    Arbitrary<Versioned> versions() {
        Arbitrary<Set<Event>> histories = Vectors.histories();
        return Combinators.combine(
                        histories,
                        Arbitraries.longs(),
                        Arbitraries.longs(),
                        Arbitraries.of(ValueKind.class),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(48))
                .as((h, hlc, writer, kind, value) -> new Versioned(
                        fromHistory(h),
                        hlc,
                        new NodeId(writer),
                        kind,
                        kind == ValueKind.TOMBSTONE ? new byte[0] : value));
    }

    /** Few distinct HLCs and writers, so ties on one or both happen often. */
    @Provide
    Arbitrary<Versioned> stamps() {
        return Combinators.combine(Arbitraries.of(0L, 1L, 2L, Long.MAX_VALUE), Vectors.nodes())
                .as((hlc, writer) ->
                        new Versioned(VersionVector.EMPTY, hlc, new NodeId(writer), ValueKind.BYTES, new byte[] {1}));
    }

    @Property
    void encodeDecodeRoundTrips(@ForAll("versions") Versioned v) {
        Versioned back = Versioned.decode(v.encode());
        assertThat(back).isEqualTo(v);
        assertThat(back.hashCode()).isEqualTo(v.hashCode());
        assertThat(back.isTombstone()).isEqualTo(v.kind() == ValueKind.TOMBSTONE);
        assertThat(back.encode()).isEqualTo(v.encode());
    }

    @Example
    void everyKindRoundTrips() {
        VersionVector clock = VersionVector.of(Map.of(A, 3L)).withDot(new NodeId(2), 1);
        for (ValueKind kind : ValueKind.values()) {
            Versioned v =
                    new Versioned(clock, 12345, A, kind, "{\"a\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(Versioned.decode(v.encode())).isEqualTo(v);
            assertThat(ValueKind.fromCode(kind.code())).isEqualTo(kind);
        }
        Versioned tombstone = Versioned.tombstone(clock, 7, A);
        assertThat(tombstone.isTombstone()).isTrue();
        assertThat(tombstone.value()).isEmpty();
        assertThat(Versioned.decode(tombstone.encode())).isEqualTo(tombstone);
    }

    @Property(tries = 300)
    void everySingleBitFlipIsDetected(@ForAll("versions") Versioned v) {
        byte[] bytes = v.encode();
        for (int bit = 0; bit < bytes.length * 8; bit++) {
            byte[] flipped = bytes.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            int at = bit;
            assertThatThrownBy(() -> Versioned.decode(flipped))
                    .as("bit %d of %d", at, bytes.length * 8)
                    .isInstanceOf(CorruptRecordException.class);
        }
    }

    @Property(tries = 300)
    void everyTruncationIsDetected(@ForAll("versions") Versioned v) {
        byte[] bytes = v.encode();
        for (int len = 0; len < bytes.length; len++) {
            byte[] prefix = Arrays.copyOf(bytes, len);
            assertThatThrownBy(() -> Versioned.decode(prefix))
                    .as("first %d of %d bytes", len, bytes.length)
                    .isInstanceOf(CorruptRecordException.class);
        }
    }

    /**
     * Garbage with a valid checksum reaches the parser: it must either be rejected with
     * CorruptRecordException or be a record that encodes back to exactly these bytes.
     */
    @Property(tries = 3000)
    void checksummedGarbageIsRejectedOrCanonical(@ForAll @Size(max = 80) byte[] body, @ForAll boolean plausible) {
        if (plausible && body.length >= 2) {
            body[0] = 1; // format
            body[1] = (byte) (1 + Math.floorMod(body[1], 3)); // a known kind
        }
        byte[] record = withChecksum(body);
        Versioned v;
        try {
            v = Versioned.decode(record);
        } catch (CorruptRecordException expected) {
            return;
        }
        assertThat(v.encode()).isEqualTo(record);
    }

    @Example
    void unknownFormatAndKindAreCorrupt() {
        byte[] badFormat = withChecksum(new ByteWriter(0)
                .writeByte(2)
                .writeByte(1)
                .writeLong(0)
                .writeLong(0)
                .writeVarLong(0)
                .writeVarLong(0)
                .toByteArray());
        byte[] badKind = withChecksum(new ByteWriter(0)
                .writeByte(1)
                .writeByte(9)
                .writeLong(0)
                .writeLong(0)
                .writeVarLong(0)
                .writeVarLong(0)
                .toByteArray());
        byte[] good = withChecksum(new ByteWriter(0)
                .writeByte(1)
                .writeByte(2)
                .writeLong(0)
                .writeLong(0)
                .writeVarLong(0)
                .writeVarLong(0)
                .toByteArray());
        assertThatThrownBy(() -> Versioned.decode(badFormat)).isInstanceOf(CorruptRecordException.class);
        assertThatThrownBy(() -> Versioned.decode(badKind)).isInstanceOf(CorruptRecordException.class);
        assertThat(Versioned.decode(good))
                .isEqualTo(new Versioned(VersionVector.EMPTY, 0, new NodeId(0), ValueKind.BYTES, new byte[0]));
    }

    // ---- winsOver: a strict total order on (hlc, writer) ----

    @Property
    void winsOverIsHlcThenUnsignedWriter(@ForAll("stamps") Versioned a, @ForAll("stamps") Versioned b) {
        int naive =
                a.hlc() != b.hlc() ? Long.compare(a.hlc(), b.hlc()) : a.writer().compareTo(b.writer());
        assertThat(a.winsOver(b)).isEqualTo(naive > 0);
    }

    @Property
    void winsOverIsIrreflexiveAntisymmetricAndTotal(@ForAll("stamps") Versioned a, @ForAll("stamps") Versioned b) {
        assertThat(a.winsOver(a)).isFalse();
        assertThat(a.winsOver(b) && b.winsOver(a)).isFalse();
        boolean sameStamp = a.hlc() == b.hlc() && a.writer().equals(b.writer());
        assertThat(a.winsOver(b) || b.winsOver(a)).isEqualTo(!sameStamp);
    }

    @Property
    void winsOverIsTransitive(
            @ForAll("stamps") Versioned a, @ForAll("stamps") Versioned b, @ForAll("stamps") Versioned c) {
        if (a.winsOver(b) && b.winsOver(c)) {
            assertThat(a.winsOver(c)).isTrue();
        }
    }

    @Example
    void higherHlcWinsWhateverTheWriter() {
        Versioned early = new Versioned(VersionVector.EMPTY, 10, new NodeId(-1), ValueKind.BYTES, new byte[0]);
        Versioned late = new Versioned(VersionVector.EMPTY, 11, new NodeId(0), ValueKind.BYTES, new byte[0]);
        assertThat(late.winsOver(early)).isTrue();
        Versioned sameHlcHighWriter =
                new Versioned(VersionVector.EMPTY, 10, new NodeId(-1), ValueKind.JSON, new byte[0]);
        Versioned sameHlcLowWriter = new Versioned(VersionVector.EMPTY, 10, new NodeId(1), ValueKind.JSON, new byte[0]);
        assertThat(sameHlcHighWriter.winsOver(sameHlcLowWriter))
                .as("writer ids compare unsigned")
                .isTrue();
    }

    @Property
    void equalsComparesValueContents(@ForAll("versions") Versioned v) {
        Versioned copy = new Versioned(
                v.clock(), v.hlc(), v.writer(), v.kind(), v.value().clone());
        assertThat(copy).isEqualTo(v).hasSameHashCodeAs(v);
        byte[] other = Arrays.copyOf(v.value(), v.value().length + 1);
        assertThat(new Versioned(v.clock(), v.hlc(), v.writer(), v.kind(), other))
                .isNotEqualTo(v);
    }

    private static byte[] withChecksum(byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(body, 0, body.length);
        return new ByteWriter(body.length + 4)
                .writeBytes(body)
                .writeInt((int) crc.getValue())
                .toByteArray();
    }
}
