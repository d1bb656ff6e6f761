package io.dynakv.replication.antientropy;

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
import io.dynakv.replication.antientropy.AntiEntropyMessage.BucketReply;
import io.dynakv.replication.antientropy.AntiEntropyMessage.BucketRequest;
import io.dynakv.replication.antientropy.AntiEntropyMessage.HashesReply;
import io.dynakv.replication.antientropy.AntiEntropyMessage.HashesRequest;
import io.dynakv.replication.message.ReplicationCodecs;
import io.dynakv.storage.PartitionRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
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
 * The anti-entropy exchange's wire form: every kind round-trips, every corruption is caught, and
 * no input, however hostile (counts and lengths far beyond the body), makes decoding allocate for
 * it or fail with anything but {@link MalformedFrameException}.
 */
class AntiEntropyCodecsTest {

    private static final MessageCodec CODEC = AntiEntropyCodecs.register(new MessageCodec());

    @Property(tries = 500)
    void everyKindRoundTrips(@ForAll("messages") AntiEntropyMessage message) {
        assertThat(CODEC.decode(CODEC.encode(message))).isEqualTo(message);
    }

    @Example
    void typeIdsAreTheDocumentedOnesAndSitBesideTheReplicaProtocol() {
        assertThat(CODEC.typeIds()).containsExactly(110, 111, 112, 113);
        assertThat(CODEC.typeIdOf(HashesRequest.class)).isEqualTo(AntiEntropyCodecs.HASHES_REQUEST);
        assertThat(CODEC.typeIdOf(BucketReply.class)).isEqualTo(AntiEntropyCodecs.BUCKET_REPLY);
        assertThat(CODEC.typeIds()).allSatisfy(id -> assertThat(id)
                .isBetween(AntiEntropyCodecs.FIRST_TYPE_ID, AntiEntropyCodecs.LAST_TYPE_ID));
        assertThatThrownBy(() -> AntiEntropyCodecs.register(CODEC)).isInstanceOf(IllegalArgumentException.class);

        MessageCodec both = AntiEntropyCodecs.register(ReplicationCodecs.register(new MessageCodec()));
        assertThat(both.typeIds()).contains(110, 111, 112, 113, ReplicationCodecs.READ_REQUEST);
    }

    @Example
    void hashesRequestHasTheDocumentedLayout() {
        byte[] frame = CODEC.encode(new HashesRequest(0x0102030405060708L, 258, 64, 3, List.of(5, 6)));

        byte[] body = new ByteWriter(32)
                .writeByte(1)
                .writeShort(110)
                .writeLong(0x0102030405060708L)
                .writeShort(258)
                .writeInt(64)
                .writeByte(3)
                .writeVarLong(2)
                .writeInt(5)
                .writeInt(6)
                .toByteArray();
        assertThat(frame).startsWith(body).hasSize(body.length + 4);
    }

    @Property(tries = 60)
    void everySingleBitFlipIsCaught(@ForAll("messages") AntiEntropyMessage message) {
        FrameChecks.assertEveryBitFlipIsMalformed(CODEC, message);
    }

    @Property(tries = 5000)
    void arbitraryBytesOnlyFailAsMalformed(@ForAll @Size(max = 120) byte[] garbage) {
        FrameChecks.assertDecodesExactlyOrIsMalformed(CODEC, garbage);
    }

    /** Gets past the header and checksum, so the body decoders themselves face the garbage. */
    @Property(tries = 5000)
    void arbitraryBodiesOnlyFailAsMalformed(
            @ForAll @IntRange(min = 109, max = 114) int typeId, @ForAll @Size(max = 120) byte[] body) {
        FrameChecks.assertDecodesExactlyOrIsMalformed(CODEC, FrameChecks.frame(typeId, body));
    }

    /** Valid frames with a few body bytes changed and the checksum fixed: near misses. */
    @Property(tries = 5000)
    void mutatedBodiesOnlyFailAsMalformed(
            @ForAll("messages") AntiEntropyMessage message,
            @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = 1 << 16) Integer> positions,
            @ForAll @Size(min = 4, max = 4) List<Byte> values) {
        FrameChecks.assertDecodesExactlyOrIsMalformed(
                CODEC, FrameChecks.mutatedBody(CODEC.encode(message), positions, values));
    }

    @Example
    void hostileCountsAreRefusedBeforeAllocating() {
        for (long count : new long[] {-1, Long.MAX_VALUE, AntiEntropyCodecs.MAX_INDEXES + 1L, 3}) {
            // Two indexes' worth of bytes: every count above 2 claims more than the body holds.
            assertMalformed(hashesRequestBody(count, 8), "index count " + count);
            assertMalformed(
                    body(AntiEntropyCodecs.HASHES_REPLY, out -> out.writeLong(1)
                            .writeByte(0)
                            .writeVarLong(count)
                            .writeBytes(new byte[24])),
                    "index count " + count);
            assertMalformed(
                    body(AntiEntropyCodecs.BUCKET_REPLY, out -> out.writeLong(1)
                            .writeInt(0)
                            .writeVarLong(count == 3 ? 100 : count)
                            .writeBytes(new byte[400])),
                    "record count");
        }
    }

    @Example
    void hostileRecordFieldsAreRefused() {
        byte[] version = new Versioned(
                        VersionVector.of(Map.of(new NodeId(1), 1L)), 5, new NodeId(1), ValueKind.BYTES, new byte[] {1})
                .encode();
        assertMalformed(record(new byte[0], new byte[] {1}, version), "table name length 0");
        assertMalformed(record(new byte[256], new byte[] {1}, version), "table name length 256");
        assertMalformed(record(new byte[] {(byte) 0xC3, 0x28}, new byte[] {1}, version), "not valid UTF-8");
        assertMalformed(record(new byte[] {'t'}, new byte[ReplicationCodecs.MAX_KEY_BYTES + 1], version), "key length");
        byte[] corrupt = version.clone();
        corrupt[3] ^= 1;
        assertMalformed(record(new byte[] {'t'}, new byte[] {1}, corrupt), "bad version record");
        assertMalformed(
                body(AntiEntropyCodecs.BUCKET_REPLY, out -> out.writeLong(1)
                        .writeInt(0)
                        .writeVarLong(1)
                        .writeLengthPrefixed(new byte[] {'t'})
                        .writeLengthPrefixed(new byte[] {1})
                        .writeVarLong(Long.MAX_VALUE)),
                "length");

        assertThat(CODEC.decode(record(new byte[] {'t'}, new byte[] {1}, version)))
                .isEqualTo(new BucketReply(
                        1, 0, List.of(new PartitionRecord("t", new byte[] {1}, Versioned.decode(version)))));
    }

    @Example
    void messagesThatCannotBeEncodedFailAtTheSender() {
        Versioned v = Versioned.tombstone(VersionVector.of(Map.of(new NodeId(1), 1L)), 1, new NodeId(1));
        for (AntiEntropyMessage bad : List.of(
                new HashesRequest(1, 65536, 64, 0, List.of(0)),
                new HashesRequest(1, 0, 64, 256, List.of(0)),
                new HashesReply(1, -1, List.of(0), List.of(0L)),
                new BucketRequest(1, -1, 64, 0),
                new BucketReply(1, 0, List.of(new PartitionRecord("", new byte[1], v))),
                new BucketReply(1, 0, List.of(new PartitionRecord("t".repeat(256), new byte[1], v))),
                new BucketReply(1, 0, List.of(new PartitionRecord("\ud800", new byte[1], v))),
                new BucketReply(
                        1, 0, List.of(new PartitionRecord("t", new byte[ReplicationCodecs.MAX_KEY_BYTES + 1], v))))) {
            assertThatThrownBy(() -> CODEC.encode(bad)).as("%s", bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** The largest request the session can make (a whole level of the largest tree) fits one frame. */
    @Example
    void aWholeLevelOfTheLargestTreeFitsOneFrame() {
        List<Integer> indexes = new ArrayList<>(AntiEntropyCodecs.MAX_INDEXES);
        List<Long> hashes = new ArrayList<>(AntiEntropyCodecs.MAX_INDEXES);
        for (int i = 0; i < AntiEntropyCodecs.MAX_INDEXES; i++) {
            indexes.add(i);
            hashes.add(i * 0x9e3779b97f4a7c15L);
        }
        HashesReply reply = new HashesReply(1, 20, indexes, hashes);

        assertThat(CODEC.decode(CODEC.encode(reply))).isEqualTo(reply);
    }

    private static byte[] hashesRequestBody(long count, int indexBytes) {
        return body(AntiEntropyCodecs.HASHES_REQUEST, out -> out.writeLong(1)
                .writeShort(0)
                .writeInt(64)
                .writeByte(0)
                .writeVarLong(count)
                .writeBytes(new byte[indexBytes]));
    }

    private static byte[] record(byte[] table, byte[] key, byte[] version) {
        return body(AntiEntropyCodecs.BUCKET_REPLY, out -> out.writeLong(1)
                .writeInt(0)
                .writeVarLong(1)
                .writeLengthPrefixed(table)
                .writeLengthPrefixed(key)
                .writeLengthPrefixed(version));
    }

    private static byte[] body(int typeId, Consumer<ByteWriter> write) {
        ByteWriter out = new ByteWriter(64);
        write.accept(out);
        return FrameChecks.frame(typeId, out.toByteArray());
    }

    private static void assertMalformed(byte[] frame, String message) {
        assertThatThrownBy(() -> CODEC.decode(frame))
                .isExactlyInstanceOf(MalformedFrameException.class)
                .hasMessageContaining(message);
    }

    @Provide
    Arbitrary<AntiEntropyMessage> messages() {
        Arbitrary<Long> ids = Arbitraries.longs();
        Arbitrary<Integer> partitions = Arbitraries.integers().between(0, 0xFFFF);
        Arbitrary<Integer> levels = Arbitraries.integers().between(0, 0xFF);
        Arbitrary<Integer> ints = Arbitraries.integers();
        return Arbitraries.oneOf(
                Combinators.combine(ids, partitions, ints, levels, ints.list().ofMaxSize(40))
                        .as(HashesRequest::new),
                Combinators.combine(ids, levels, ints.list().ofMaxSize(40), Arbitraries.longs())
                        .as((id, level, indexes, seed) ->
                                new HashesReply(id, level, indexes, hashesFor(indexes, seed))),
                Combinators.combine(ids, partitions, ints, ints).as(BucketRequest::new),
                Combinators.combine(ids, ints, records().list().ofMaxSize(5)).as(BucketReply::new));
    }

    private static List<Long> hashesFor(List<Integer> indexes, long seed) {
        List<Long> hashes = new ArrayList<>(indexes.size());
        for (int index : indexes) {
            hashes.add(seed * 31 + index * 0x9e3779b97f4a7c15L);
        }
        return hashes;
    }

    private static Arbitrary<PartitionRecord> records() {
        return Combinators.combine(
                        tables(), Arbitraries.bytes().array(byte[].class).ofMaxSize(100), versions())
                .as(PartitionRecord::new);
    }

    /** Table names of 1- to 4-byte characters (no lone surrogates, which UTF-8 cannot carry). */
    private static Arbitrary<String> tables() {
        return Arbitraries.strings()
                .withCharRange('a', 'z')
                .withCharRange('\u00a0', '\u07ff')
                .withCharRange('\ue000', '\uffff')
                .ofMinLength(1)
                .ofMaxLength(40)
                .map(s -> s.length() % 5 == 0 ? s + "\ud83d\ude00" : s);
    }

    private static Arbitrary<Versioned> versions() {
        Arbitrary<NodeId> nodes =
                Arbitraries.of(0L, 1L, 2L, -1L, Long.MAX_VALUE).map(NodeId::new);
        Arbitrary<VersionVector> clocks = Arbitraries.maps(
                        nodes, Arbitraries.longs().between(1, 1L << 40))
                .ofMaxSize(4)
                .map(VersionVector::of);
        return Combinators.combine(
                        clocks,
                        Arbitraries.longs(),
                        nodes,
                        Arbitraries.of(ValueKind.class),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(50))
                .as(Versioned::new);
    }
}
