package io.dynakv.replication.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.common.CausalContext;
import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import io.dynakv.common.codec.ByteWriter;
import io.dynakv.common.codec.FrameChecks;
import io.dynakv.common.codec.MalformedFrameException;
import io.dynakv.common.codec.MessageCodec;
import io.dynakv.replication.coordinator.ConsistencyLevel;
import io.dynakv.replication.coordinator.Outcome;
import io.dynakv.replication.coordinator.WriteRequest;
import io.dynakv.replication.coordinator.Written;
import io.dynakv.replication.replica.KeyRef;
import io.dynakv.replication.replica.WriteEffect;
import java.util.List;
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
 * The replica protocol's wire form: every kind round-trips, every corruption is caught, and no
 * input, however hostile, makes decoding fail with anything but {@link MalformedFrameException}.
 */
class ReplicationCodecsTest {

    private static final MessageCodec CODEC = ReplicationCodecs.register(new MessageCodec());

    @Property(tries = 500)
    void everyKindRoundTrips(@ForAll("messages") ReplicaMessage message) {
        byte[] frame = CODEC.encode(message);

        assertThat(CODEC.decode(frame)).isEqualTo(message);
    }

    @Example
    void typeIdsAreTheDocumentedOnes() {
        assertThat(CODEC.typeIds()).containsExactly(100, 101, 102, 103, 104, 105, 106);
        assertThat(CODEC.typeIdOf(ReplicaReadRequest.class)).isEqualTo(ReplicationCodecs.READ_REQUEST);
        assertThat(CODEC.typeIdOf(ReplicaFailure.class)).isEqualTo(ReplicationCodecs.FAILURE);
        assertThat(CODEC.typeIds()).allSatisfy(id -> assertThat(id)
                .isBetween(ReplicationCodecs.FIRST_TYPE_ID, ReplicationCodecs.LAST_TYPE_ID));
        assertThatThrownBy(() -> ReplicationCodecs.register(CODEC)).isInstanceOf(IllegalArgumentException.class);
    }

    @Example
    void readRequestHasTheDocumentedLayout() {
        byte[] frame = CODEC.encode(
                new ReplicaReadRequest(0x0102030405060708L, new KeyRef(258, "t", new byte[] {9}), 0x0A0B0C0D0E0F1011L));

        byte[] body = new ByteWriter(32)
                .writeByte(1)
                .writeShort(100)
                .writeLong(0x0102030405060708L)
                .writeShort(258)
                .writeVarLong(1)
                .writeByte('t')
                .writeVarLong(1)
                .writeByte(9)
                .writeLong(0x0A0B0C0D0E0F1011L)
                .toByteArray();
        assertThat(frame).startsWith(body).hasSize(body.length + 4);
    }

    @Property(tries = 60)
    void everySingleBitFlipIsCaught(@ForAll("messages") ReplicaMessage message) {
        FrameChecks.assertEveryBitFlipIsMalformed(CODEC, message);
    }

    @Property(tries = 5000)
    void arbitraryBytesOnlyFailAsMalformed(@ForAll @Size(max = 120) byte[] garbage) {
        FrameChecks.assertDecodesExactlyOrIsMalformed(CODEC, garbage);
    }

    /** Gets past the header and checksum, so the body decoders themselves face the garbage. */
    @Property(tries = 5000)
    void arbitraryBodiesOnlyFailAsMalformed(
            @ForAll @IntRange(min = 99, max = 107) int typeId, @ForAll @Size(max = 120) byte[] body) {
        FrameChecks.assertDecodesExactlyOrIsMalformed(CODEC, FrameChecks.frame(typeId, body));
    }

    /** Valid frames with a few body bytes changed and the checksum fixed: near misses. */
    @Property(tries = 5000)
    void mutatedBodiesOnlyFailAsMalformed(
            @ForAll("messages") ReplicaMessage message,
            @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = 1 << 16) Integer> positions,
            @ForAll @Size(min = 4, max = 4) List<Byte> values) {
        FrameChecks.assertDecodesExactlyOrIsMalformed(
                CODEC, FrameChecks.mutatedBody(CODEC.encode(message), positions, values));
    }

    @Example
    void malformedUtf8AndOverlongFieldsAreRefused() {
        byte[] badUtf8 = new ByteWriter(16)
                .writeByte(1)
                .writeShort(ReplicationCodecs.FAILURE)
                .writeLong(1)
                .writeLengthPrefixed(new byte[] {(byte) 0xC3, 0x28})
                .writeInt(0)
                .toByteArray();
        assertThatThrownBy(() -> CODEC.decode(FrameChecks.withChecksum(badUtf8)))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("UTF-8");

        byte[] hugeKey = new ByteWriter(16)
                .writeByte(1)
                .writeShort(ReplicationCodecs.READ_REQUEST)
                .writeLong(1)
                .writeShort(0)
                .writeLengthPrefixed(new byte[] {'t'})
                .writeVarLong(Long.MAX_VALUE)
                .writeInt(0)
                .toByteArray();
        assertThatThrownBy(() -> CODEC.decode(FrameChecks.withChecksum(hugeKey)))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("key length");
    }

    @Example
    void longFailureReasonsAreCutToFit() {
        ReplicaFailure failure = new ReplicaFailure(7, "\u20ac".repeat(5000));

        assertThat(failure.reason()).hasSize(ReplicaFailure.MAX_REASON_CHARS);
        assertThat(CODEC.decode(CODEC.encode(failure))).isEqualTo(failure);
    }

    @Example
    void keysThatCannotBeEncodedFailAtTheSender() {
        assertThatThrownBy(() -> CODEC.encode(new ReplicaReadRequest(1, new KeyRef(65536, "t", new byte[1]), 0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CODEC.encode(new ReplicaReadRequest(1, new KeyRef(0, "", new byte[1]), 0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () -> CODEC.encode(new ReplicaReadRequest(1, new KeyRef(0, "t".repeat(256), new byte[1]), 0)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Decoding is injective: a frame either fails as malformed or is exactly the encoding of the
     * message it decodes to, so corruption can never yield a different message silently.
     */
    @Provide
    Arbitrary<ReplicaMessage> messages() {
        Arbitrary<Long> ids = Arbitraries.longs();
        return Arbitraries.oneOf(
                Combinators.combine(ids, keys(), Arbitraries.longs()).as(ReplicaReadRequest::new),
                Combinators.combine(ids, versions().optional(0.3)).as(ReplicaReadReply::new),
                Combinators.combine(ids, keys(), versions(), Arbitraries.longs())
                        .as(ReplicaWriteRequest::new),
                Combinators.combine(ids, effects()).as(ReplicaWriteReply::new),
                Combinators.combine(ids, text(0, 200), Arbitraries.of(true, false))
                        .as(ReplicaFailure::new),
                Combinators.combine(ids, writes()).as(ForwardWriteRequest::new),
                Combinators.combine(ids, outcomes()).as(ForwardWriteReply::new));
    }

    static Arbitrary<WriteRequest> writes() {
        Arbitrary<ConsistencyLevel> levels = Arbitraries.oneOf(
                Arbitraries.of(ConsistencyLevel.Level.class).map(l -> new ConsistencyLevel(l, 0)),
                Arbitraries.integers().between(1, 255).map(n -> new ConsistencyLevel(null, n)));
        return Combinators.combine(
                        keys(),
                        Arbitraries.of(ValueKind.class),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(200),
                        versions()
                                .filter(v -> v.hlc() >= 0)
                                .map(CausalContext::of)
                                .optional(0.5),
                        levels)
                .as(WriteRequest::new);
    }

    static Arbitrary<WriteEffect> effects() {
        return Arbitraries.oneOf(
                Arbitraries.of(WriteEffect.APPLIED, WriteEffect.ALREADY_KNOWN),
                versions().map(WriteEffect::concurrentWith));
    }

    static Arbitrary<Outcome<Written>> outcomes() {
        Arbitrary<Integer> counts = Arbitraries.integers().between(0, 255);
        return Arbitraries.oneOf(
                Combinators.combine(versions(), versions().optional(0.5))
                        .as(Written::new)
                        .map(Outcome.Ok::new),
                Combinators.combine(counts, counts, counts, text(0, 100), Arbitraries.of(true, false))
                        .as(Outcome.Unavailable::new),
                Combinators.combine(counts, counts, counts).as(Outcome.TimedOut::new));
    }

    static Arbitrary<KeyRef> keys() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, 0xFFFF),
                        text(1, 64),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(100))
                .as(KeyRef::new);
    }

    /** Strings without lone surrogates (which UTF-8 cannot carry), with 1- to 4-byte characters. */
    static Arbitrary<String> text(int minLength, int maxLength) {
        return Arbitraries.oneOf(
                        Arbitraries.strings()
                                .withCharRange('a', 'z')
                                .withChars('_', '-', '0', '9')
                                .ofMinLength(minLength)
                                .ofMaxLength(maxLength),
                        Arbitraries.strings()
                                .withCharRange('\u00a0', '\u07ff')
                                .withCharRange('\ue000', '\uffff')
                                .ofMinLength(minLength)
                                .ofMaxLength(maxLength))
                .map(s -> s.length() > 1 && s.length() % 5 == 0 ? s.substring(1) + "\ud83d\ude00" : s);
    }

    static Arbitrary<Versioned> versions() {
        return Combinators.combine(
                        vectors(),
                        Arbitraries.longs(),
                        Arbitraries.longs().map(NodeId::new),
                        Arbitraries.of(ValueKind.class),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(200))
                .as(Versioned::new);
    }

    /** Plain vectors over a few nodes (both signs, to exercise unsigned order), sometimes with a dot. */
    static Arbitrary<VersionVector> vectors() {
        Arbitrary<NodeId> nodes = Arbitraries.of(0L, 1L, 2L, 3L, -1L, Long.MIN_VALUE, Long.MAX_VALUE)
                .map(NodeId::new);
        Arbitrary<VersionVector> plain = Arbitraries.maps(
                        nodes, Arbitraries.longs().between(1, 1L << 40))
                .ofMaxSize(6)
                .map(VersionVector::of);
        return Combinators.combine(plain, nodes, Arbitraries.longs().between(0, 5))
                .as((v, node, gap) -> gap == 0 ? v : v.withDot(node, v.counter(node) + gap + 1));
    }
}
