package io.dynakv.replication.rebalance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import io.dynakv.common.codec.ByteWriter;
import io.dynakv.common.codec.FrameChecks;
import io.dynakv.common.codec.MalformedFrameException;
import io.dynakv.common.codec.MessageCodec;
import io.dynakv.common.message.Message;
import io.dynakv.replication.message.ReplicationCodecs;
import io.dynakv.storage.PartitionRecord;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Streaming's wire form: both kinds round-trip, every corruption and truncation is caught, and no
 * input, however hostile, makes decoding fail with anything but {@link MalformedFrameException} or
 * allocate from a declared length it cannot back.
 */
class StreamCodecsTest {

    private static final MessageCodec CODEC = StreamCodecs.register(new MessageCodec());

    @Property(tries = 500)
    void everyKindRoundTrips(@ForAll("messages") Message message) {
        assertThat(CODEC.decode(CODEC.encode(message))).isEqualTo(message);
    }

    @Example
    void typeIdsAreTheDocumentedOnesAndFitTheReservedRange() {
        assertThat(CODEC.typeIds()).containsExactly(120, 121, 122);
        assertThat(CODEC.typeIdOf(HandoffDone.class)).isEqualTo(StreamCodecs.HANDOFF_DONE);
        assertThat(CODEC.typeIdOf(StreamRequest.class)).isEqualTo(StreamCodecs.STREAM_REQUEST);
        assertThat(CODEC.typeIdOf(StreamPage.class)).isEqualTo(StreamCodecs.STREAM_PAGE);
        assertThat(CODEC.typeIds())
                .allSatisfy(id -> assertThat(id).isBetween(StreamCodecs.FIRST_TYPE_ID, StreamCodecs.LAST_TYPE_ID));
        // It shares a codec with the replica protocol without a clash.
        List<Integer> replicaIds =
                ReplicationCodecs.register(new MessageCodec()).typeIds();
        MessageCodec both = StreamCodecs.register(ReplicationCodecs.register(new MessageCodec()));
        assertThat(both.typeIds()).hasSize(replicaIds.size() + 3).contains(120, 121, 122);
    }

    @Example
    void requestHasTheDocumentedLayout() {
        byte[] frame = CODEC.encode(new StreamRequest(0x0102030405060708L, 258, "t", new byte[] {9}, 65_536));

        byte[] body = new ByteWriter(32)
                .writeByte(1)
                .writeShort(120)
                .writeLong(0x0102030405060708L)
                .writeShort(258)
                .writeVarLong(1)
                .writeByte('t')
                .writeVarLong(1)
                .writeByte(9)
                .writeInt(65_536)
                .toByteArray();
        assertThat(frame).startsWith(body).hasSize(body.length + 4);
    }

    @Property(tries = 40)
    void everySingleBitFlipIsCaught(@ForAll("messages") Message message) {
        FrameChecks.assertEveryBitFlipIsMalformed(CODEC, message);
    }

    /** Every proper prefix, with its checksum made valid again, so the body decoder sees the cut. */
    @Property(tries = 100)
    void everyTruncationIsMalformed(@ForAll("messages") Message message) {
        byte[] frame = CODEC.encode(message);
        for (int length = 0; length < frame.length; length++) {
            byte[] cut = Arrays.copyOf(frame, length);
            assertThatThrownBy(() -> CODEC.decode(cut)).isExactlyInstanceOf(MalformedFrameException.class);
            if (length >= 7) {
                byte[] resealed = FrameChecks.withChecksum(Arrays.copyOf(frame, length));
                assertThatThrownBy(() -> CODEC.decode(resealed)).isExactlyInstanceOf(MalformedFrameException.class);
            }
        }
    }

    @Property(tries = 3000)
    void arbitraryBodiesOnlyFailAsMalformed(
            @ForAll @IntRange(min = 119, max = 122) int typeId, @ForAll @Size(max = 120) byte[] body) {
        FrameChecks.assertDecodesExactlyOrIsMalformed(CODEC, FrameChecks.frame(typeId, body));
    }

    @Property(tries = 3000)
    void mutatedBodiesOnlyFailAsMalformed(
            @ForAll("messages") Message message,
            @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = 1 << 16) Integer> positions,
            @ForAll @Size(min = 4, max = 4) List<Byte> values) {
        FrameChecks.assertDecodesExactlyOrIsMalformed(
                CODEC, FrameChecks.mutatedBody(CODEC.encode(message), positions, values));
    }

    @Example
    void hugeDeclaredLengthsAreRefusedBeforeAllocating() {
        assertMalformed(StreamCodecs.STREAM_PAGE, page().writeVarLong(Long.MAX_VALUE), "record count");
        assertMalformed(StreamCodecs.STREAM_PAGE, page().writeVarLong(-1L), "record count");
        assertMalformed(
                StreamCodecs.STREAM_PAGE,
                page().writeVarLong(5).writeBytes(new byte[24]),
                "record count"); // 5 records in 24 bytes
        assertMalformed(
                StreamCodecs.STREAM_PAGE,
                page().writeVarLong(1).writeVarLong(1L << 40).writeBytes(new byte[8]),
                "table name length");
        assertMalformed(
                StreamCodecs.STREAM_PAGE,
                page().writeVarLong(1).writeLengthPrefixed(new byte[] {'t'}).writeVarLong(Integer.MAX_VALUE),
                "key length");
        assertMalformed(
                StreamCodecs.STREAM_PAGE,
                page().writeVarLong(1)
                        .writeLengthPrefixed(new byte[] {'t'})
                        .writeLengthPrefixed(new byte[] {'k'})
                        .writeVarLong(1L << 62),
                "exceeds");
        assertMalformed(
                StreamCodecs.STREAM_REQUEST,
                request().writeVarLong(1).writeByte('t').writeVarLong(ReplicationCodecs.MAX_KEY_BYTES + 1L),
                "cursor key length");
        assertMalformed(
                StreamCodecs.STREAM_REQUEST,
                request().writeVarLong(256).writeBytes(new byte[256]),
                "cursor table length");
    }

    @Example
    void invalidFieldsAreRefused() {
        assertMalformed(
                StreamCodecs.STREAM_PAGE,
                new ByteWriter(16).writeLong(1).writeShort(5).writeByte(4).writeVarLong(0),
                "page flags");
        // An empty record key, an empty table and a non-last empty page cannot be stored or resumed.
        assertMalformed(
                StreamCodecs.STREAM_PAGE,
                page().writeVarLong(1)
                        .writeLengthPrefixed(new byte[] {'t'})
                        .writeVarLong(0)
                        .writeBytes(new byte[8]),
                "key length");
        assertMalformed(
                StreamCodecs.STREAM_PAGE,
                page().writeVarLong(1).writeVarLong(0).writeBytes(new byte[8]),
                "table name length");
        assertMalformed(
                StreamCodecs.STREAM_PAGE,
                new ByteWriter(16).writeLong(1).writeShort(5).writeByte(0).writeVarLong(0),
                "not the last");
        // A request with a non-positive page size, or a key but no table.
        assertMalformed(
                StreamCodecs.STREAM_REQUEST,
                request().writeVarLong(0).writeVarLong(0).writeInt(0),
                "maxBytes");
        assertMalformed(
                StreamCodecs.STREAM_REQUEST,
                request().writeVarLong(0).writeVarLong(1).writeByte(1).writeInt(10),
                "start");
    }

    @Example
    void whatCannotBeEncodedFailsAtTheSender() {
        PartitionRecord emptyKey = new PartitionRecord("t", new byte[0], version(1));
        PartitionRecord longTable = new PartitionRecord("t".repeat(256), new byte[1], version(1));
        byte[] hugeKey = new byte[ReplicationCodecs.MAX_KEY_BYTES + 1];
        assertThatThrownBy(() -> CODEC.encode(new StreamPage(1, 0, List.of(emptyKey), true)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CODEC.encode(new StreamPage(1, 0, List.of(longTable), true)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CODEC.encode(new StreamRequest(1, 0, "t", hugeKey, 10)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StreamRequest(1, 65_536, "", new byte[0], 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StreamPage(1, 0, List.of(), false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Example
    void recordBytesIsTheRecordsShareOfThePage() {
        PartitionRecord r = new PartitionRecord("users", new byte[300], version(1_000));
        StreamPage one = new StreamPage(1, 0, List.of(r), true);
        StreamPage two = new StreamPage(1, 0, List.of(r, r), true);

        assertThat(CODEC.encode(two).length - CODEC.encode(one).length).isEqualTo(StreamCodecs.recordBytes(r));
    }

    /** A page body up to its record count: stream 1, partition 5, not last. */
    private static ByteWriter page() {
        return new ByteWriter(32).writeLong(1).writeShort(5).writeByte(0);
    }

    /** A request body up to its cursor: stream 1, partition 5. */
    private static ByteWriter request() {
        return new ByteWriter(32).writeLong(1).writeShort(5);
    }

    private static void assertMalformed(int typeId, ByteWriter body, String message) {
        assertThatThrownBy(() -> CODEC.decode(FrameChecks.frame(typeId, body.toByteArray())))
                .isExactlyInstanceOf(MalformedFrameException.class)
                .hasMessageContaining(message);
    }

    @Provide
    Arbitrary<Message> messages() {
        Arbitrary<Long> ids = Arbitraries.longs();
        Arbitrary<Integer> partitions = Arbitraries.integers().between(0, 0xFFFF);
        Arbitrary<StreamRequest> requests = Combinators.combine(
                        ids,
                        partitions,
                        text(1, 40).injectNull(0.3),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(40),
                        Arbitraries.integers().between(1, Integer.MAX_VALUE))
                .as((id, p, table, key, max) -> table == null
                        ? StreamRequest.fromStart(id, p, max)
                        : new StreamRequest(id, p, table, key, max));
        Arbitrary<StreamPage> pages = Combinators.combine(
                        ids,
                        partitions,
                        records().list().ofMaxSize(4),
                        Arbitraries.of(true, false),
                        Arbitraries.of(true, false))
                .as((id, p, records, last, partial) ->
                        new StreamPage(id, p, records, last || records.isEmpty(), partial));
        return Arbitraries.oneOf(requests, pages, partitions.map(HandoffDone::new));
    }

    private static Arbitrary<PartitionRecord> records() {
        return Combinators.combine(
                        text(1, 20),
                        Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(30),
                        versions())
                .as(PartitionRecord::new);
    }

    /** Strings without lone surrogates, with 1- to 4-byte UTF-8 characters. */
    private static Arbitrary<String> text(int minLength, int maxLength) {
        return Arbitraries.oneOf(
                        Arbitraries.strings()
                                .withCharRange('a', 'z')
                                .withChars('_', '-')
                                .ofMinLength(minLength)
                                .ofMaxLength(maxLength),
                        Arbitraries.strings()
                                .withCharRange('\u00a0', '\u07ff')
                                .ofMinLength(minLength)
                                .ofMaxLength(maxLength))
                .map(s -> s.length() % 4 == 3 ? s + "\ud83d\ude00" : s);
    }

    private static Arbitrary<Versioned> versions() {
        Arbitrary<VersionVector> clocks = Arbitraries.maps(
                        Arbitraries.of(1L, 2L, -1L, Long.MIN_VALUE).map(NodeId::new),
                        Arbitraries.longs().between(1, 1L << 40))
                .ofMaxSize(3)
                .map(VersionVector::of);
        return Combinators.combine(
                        clocks,
                        Arbitraries.longs(),
                        Arbitraries.longs().map(NodeId::new),
                        Arbitraries.of(ValueKind.class),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(40))
                .as(Versioned::new);
    }

    private static Versioned version(int valueBytes) {
        return new Versioned(
                VersionVector.of(Map.of(new NodeId(1), 1L)), 1, new NodeId(1), ValueKind.BYTES, new byte[valueBytes]);
    }
}
