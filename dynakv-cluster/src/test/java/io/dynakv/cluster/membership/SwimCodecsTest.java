package io.dynakv.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.common.NodeId;
import io.dynakv.common.codec.ByteWriter;
import io.dynakv.common.codec.FrameChecks;
import io.dynakv.common.codec.MalformedFrameException;
import io.dynakv.common.codec.MessageCodec;
import io.dynakv.common.message.Message;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
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
 * SWIM's wire form: every kind round-trips, every corruption is caught, and no input, however
 * hostile, makes decoding fail with anything but {@link MalformedFrameException}.
 */
class SwimCodecsTest {

    private static final MessageCodec CODEC = SwimCodecs.register(new MessageCodec());

    @Property(tries = 500)
    void everyKindRoundTrips(@ForAll("messages") SwimMessage message) {
        byte[] frame = CODEC.encode(message);

        assertThat(CODEC.decode(frame)).isEqualTo(message);
    }

    @Example
    void typeIdsAreTheDocumentedOnes() {
        assertThat(CODEC.typeIds()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(CODEC.typeIdOf(Ping.class)).isEqualTo(SwimCodecs.PING);
        assertThat(CODEC.typeIdOf(Ack.class)).isEqualTo(SwimCodecs.ACK);
        assertThat(CODEC.typeIdOf(PingReq.class)).isEqualTo(SwimCodecs.PING_REQ);
        assertThat(CODEC.typeIdOf(JoinRequest.class)).isEqualTo(SwimCodecs.JOIN_REQUEST);
        assertThat(CODEC.typeIdOf(JoinReply.class)).isEqualTo(SwimCodecs.JOIN_REPLY);
        assertThat(CODEC.typeIdOf(JoinRefused.class)).isEqualTo(SwimCodecs.JOIN_REFUSED);
        assertThat(CODEC.typeIdOf(Leave.class)).isEqualTo(SwimCodecs.LEAVE);
        assertThat(CODEC.typeIdOf(Sync.class)).isEqualTo(SwimCodecs.SYNC);
        assertThatThrownBy(() -> SwimCodecs.register(CODEC)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * The replica protocol (dynakv-replication, 100-199) registers on the same codec in the node;
     * this module cannot see it, so check that every SWIM id stays inside the range MessageCodec
     * reserves for membership, and that every SWIM message kind has one.
     */
    @Example
    void everyKindIsRegisteredWithinTheMembershipRange() {
        assertThat(SwimCodecs.FIRST_TYPE_ID).isEqualTo(1);
        assertThat(SwimCodecs.LAST_TYPE_ID).isEqualTo(99);
        assertThat(CODEC.typeIds())
                .allSatisfy(id -> assertThat(id).isBetween(SwimCodecs.FIRST_TYPE_ID, SwimCodecs.LAST_TYPE_ID));
        for (Class<?> kind : SwimMessage.class.getPermittedSubclasses()) {
            @SuppressWarnings("unchecked")
            int id = CODEC.typeIdOf((Class<? extends Message>) kind);
            assertThat(id).as("type id of %s", kind.getSimpleName()).isBetween(1, 99);
        }
    }

    @Example
    void ackHasTheDocumentedLayout() {
        Member update = new Member(new NodeId(0x2122232425262728L), "h:1", MemberStatus.SUSPECT, 300);
        byte[] frame = CODEC.encode(new Ack(0x0102030405060708L, new NodeId(0x1112131415161718L), List.of(update)));

        byte[] body = new ByteWriter(64)
                .writeByte(1) // schema version
                .writeShort(2) // type id: Ack
                .writeLong(0x0102030405060708L) // seq
                .writeLong(0x1112131415161718L) // target
                .writeByte(1) // one update
                .writeLong(0x2122232425262728L) // its id
                .writeByte(3) // address length
                .writeBytes(new byte[] {'h', ':', '1'})
                .writeByte(1) // SUSPECT
                .writeByte(0xAC) // incarnation 300 as a varint
                .writeByte(0x02)
                .toByteArray();
        assertThat(frame).startsWith(body).hasSize(body.length + 4);
    }

    @Example
    void statusCodesAreFixed() {
        MemberStatus[] byCode = {MemberStatus.ALIVE, MemberStatus.SUSPECT, MemberStatus.DEAD, MemberStatus.LEFT};
        for (int code = 0; code < byCode.length; code++) {
            byte[] frame = CODEC.encode(
                    new JoinRequest(new Member(new NodeId(1), "", byCode[code], 0), 0, Optional.empty(), List.of()));
            assertThat(frame[3 + 8 + 1]).as("code of %s", byCode[code]).isEqualTo((byte) code);
        }
    }

    @Property(tries = 60)
    void everySingleBitFlipIsCaught(@ForAll("messages") SwimMessage message) {
        FrameChecks.assertEveryBitFlipIsMalformed(CODEC, message);
    }

    @Property(tries = 5000)
    void arbitraryBytesOnlyFailAsMalformed(@ForAll @Size(max = 120) byte[] garbage) {
        FrameChecks.assertDecodesExactlyOrIsMalformed(CODEC, garbage);
    }

    /** Gets past the header and checksum, so the body decoders themselves face the garbage. */
    @Property(tries = 5000)
    void arbitraryBodiesOnlyFailAsMalformed(
            @ForAll @IntRange(min = 0, max = 8) int typeId, @ForAll @Size(max = 120) byte[] body) {
        FrameChecks.assertDecodesExactlyOrIsMalformed(CODEC, FrameChecks.frame(typeId, body));
    }

    /** Valid frames with a few body bytes changed and the checksum fixed: near misses. */
    @Property(tries = 5000)
    void mutatedBodiesOnlyFailAsMalformed(
            @ForAll("messages") SwimMessage message,
            @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = 1 << 16) Integer> positions,
            @ForAll @Size(min = 4, max = 4) List<Byte> values) {
        FrameChecks.assertDecodesExactlyOrIsMalformed(
                CODEC, FrameChecks.mutatedBody(CODEC.encode(message), positions, values));
    }

    /** Valid frames cut short or extended, checksum fixed: lengths and counts must not overrun. */
    @Property(tries = 2000)
    void truncatedAndExtendedBodiesOnlyFailAsMalformed(
            @ForAll("messages") SwimMessage message,
            @ForAll @IntRange(min = -64, max = 16) int delta,
            @ForAll byte fill) {
        byte[] frame = CODEC.encode(message);
        int bodyLength = Math.max(0, frame.length - 7 + delta);
        byte[] changed = new byte[3 + bodyLength + 4];
        System.arraycopy(frame, 0, changed, 0, Math.min(frame.length - 4, 3 + bodyLength));
        for (int i = frame.length - 4; i < 3 + bodyLength; i++) {
            changed[i] = fill;
        }
        FrameChecks.assertDecodesExactlyOrIsMalformed(CODEC, FrameChecks.withChecksum(changed));
    }

    @Example
    void hostileFieldsAreRefused() {
        assertMalformed(body(SwimCodecs.PING).writeLong(1).writeVarLong(SwimCodecs.MAX_UPDATES + 1), "count");
        assertMalformed(body(SwimCodecs.PING).writeLong(1).writeVarLong(Long.MAX_VALUE), "count");
        assertMalformed(body(SwimCodecs.PING).writeLong(1).writeVarLong(-1L), "count");
        assertMalformed(body(SwimCodecs.JOIN_REPLY).writeLong(7).writeVarLong(SwimCodecs.MAX_MEMBERS + 1), "count");
        // A count within the limit that the remaining bytes cannot hold is refused before allocating.
        assertMalformed(body(SwimCodecs.JOIN_REPLY).writeLong(7).writeVarLong(SwimCodecs.MAX_MEMBERS), "count");

        ByteWriter longAddress = body(SwimCodecs.PING_REQ).writeLong(1).writeLong(2);
        longAddress
                .writeLengthPrefixed(new byte[SwimCodecs.MAX_ADDRESS_BYTES + 1])
                .writeVarLong(0);
        assertMalformed(longAddress, "address length");

        ByteWriter badUtf8 = body(SwimCodecs.PING_REQ).writeLong(1).writeLong(2);
        badUtf8.writeLengthPrefixed(new byte[] {(byte) 0xC3, 0x28}).writeVarLong(0);
        assertMalformed(badUtf8, "UTF-8");

        ByteWriter encodedSurrogate = body(SwimCodecs.PING_REQ).writeLong(1).writeLong(2);
        encodedSurrogate
                .writeLengthPrefixed(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})
                .writeVarLong(0);
        assertMalformed(encodedSurrogate, "UTF-8");

        assertMalformed(member(body(SwimCodecs.JOIN_REQUEST), 4, 0).writeVarLong(0), "status");
        assertMalformed(member(body(SwimCodecs.JOIN_REQUEST), 0, -1L).writeVarLong(0), "incarnation");
        assertMalformed(member(body(SwimCodecs.LEAVE), 0, 1).writeVarLong(0), "LEFT");
        assertMalformed(body(SwimCodecs.SYNC).writeByte(2).writeVarLong(0).writeVarLong(0), "reply flag");
        assertMalformed(body(SwimCodecs.PING).writeLong(1).writeVarLong(0).writeByte(0), "bytes left");
    }

    @Example
    void theLargestListsStillRoundTrip() {
        Member m = new Member(new NodeId(-1), "x".repeat(SwimCodecs.MAX_ADDRESS_BYTES), MemberStatus.DEAD, 1);
        Sync sync = new Sync(
                Collections.nCopies(SwimCodecs.MAX_MEMBERS, m), true, Collections.nCopies(SwimCodecs.MAX_UPDATES, m));

        assertThat(CODEC.decode(CODEC.encode(sync))).isEqualTo(sync);
    }

    @Example
    void messagesThatCannotBeEncodedFailAtTheSender() {
        Member ok = new Member(new NodeId(1), "h:1", MemberStatus.ALIVE, 0);
        Member longAddress = new Member(new NodeId(1), "\u20ac".repeat(171), MemberStatus.ALIVE, 0); // 513 bytes
        Member loneSurrogate = new Member(new NodeId(1), "h\ud800", MemberStatus.ALIVE, 0);

        assertThatThrownBy(() -> CODEC.encode(new Ping(1, List.of(longAddress))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CODEC.encode(new Ping(1, List.of(loneSurrogate))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CODEC.encode(new Ping(1, Collections.nCopies(SwimCodecs.MAX_UPDATES + 1, ok))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() ->
                        CODEC.encode(new JoinReply(7, Collections.nCopies(SwimCodecs.MAX_MEMBERS + 1, ok), List.of())))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static ByteWriter body(int typeId) {
        return new ByteWriter(64).writeByte(1).writeShort(typeId);
    }

    private static ByteWriter member(ByteWriter out, int statusCode, long incarnation) {
        return out.writeLong(7)
                .writeLengthPrefixed(new byte[] {'h'})
                .writeByte(statusCode)
                .writeVarLong(incarnation);
    }

    private static void assertMalformed(ByteWriter frameWithoutChecksum, String messagePart) {
        byte[] frame = frameWithoutChecksum.writeInt(0).toByteArray();
        assertThatThrownBy(() -> CODEC.decode(FrameChecks.withChecksum(frame)))
                .isExactlyInstanceOf(MalformedFrameException.class)
                .hasMessageContaining(messagePart);
    }

    /**
     * Decoding is injective: a frame either fails as malformed or is exactly the encoding of the
     * message it decodes to, so corruption can never yield a different message silently.
     */
    @Provide
    Arbitrary<SwimMessage> messages() {
        Arbitrary<Long> seqs = Arbitraries.longs();
        Arbitrary<NodeId> ids = nodeIds();
        return Arbitraries.oneOf(
                Combinators.combine(seqs, updates()).as(Ping::new),
                Combinators.combine(seqs, ids, updates()).as(Ack::new),
                Combinators.combine(seqs, ids, addresses(), updates()).as(PingReq::new),
                Combinators.combine(
                                members(),
                                Arbitraries.longs(),
                                nodeIds().filter(id -> id.value() != 0).optional(),
                                updates())
                        .as(JoinRequest::new),
                Combinators.combine(Arbitraries.longs(), memberLists(), updates())
                        .as(JoinReply::new),
                Combinators.combine(
                                Arbitraries.strings()
                                        .alpha()
                                        .numeric()
                                        .withChars(" :-")
                                        .ofMaxLength(300),
                                updates())
                        .as(JoinRefused::new),
                Combinators.combine(members().map(m -> m.withStatus(MemberStatus.LEFT)), updates())
                        .as(Leave::new),
                Combinators.combine(memberLists(), Arbitraries.of(false, true), updates())
                        .as(Sync::new));
    }

    static Arbitrary<List<Member>> updates() {
        return members().list().ofMaxSize(6);
    }

    static Arbitrary<List<Member>> memberLists() {
        return members().list().ofMaxSize(12);
    }

    static Arbitrary<Member> members() {
        return Combinators.combine(nodeIds(), addresses(), Arbitraries.of(MemberStatus.class), incarnations())
                .as(Member::new);
    }

    /** Both signs, to exercise the full unsigned range; edge values often. */
    static Arbitrary<NodeId> nodeIds() {
        return Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.of(0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE))
                .map(NodeId::new);
    }

    /** Small and large, so one- to nine-byte varints all appear. */
    static Arbitrary<Long> incarnations() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(0, 300),
                Arbitraries.longs().between(0, Long.MAX_VALUE),
                Arbitraries.of(0L, 127L, 128L, Long.MAX_VALUE));
    }

    /** host:port forms, empty, and strings with 1- to 4-byte UTF-8 characters (no lone surrogates). */
    static Arbitrary<String> addresses() {
        Arbitrary<String> hostPort = Combinators.combine(
                        Arbitraries.strings()
                                .withCharRange('a', 'z')
                                .withChars('.', '-', '0', '9')
                                .ofMinLength(1)
                                .ofMaxLength(30),
                        Arbitraries.integers().between(0, 65535))
                .as((host, port) -> host + ":" + port);
        Arbitrary<String> unicode = Arbitraries.strings()
                .withCharRange('\u00a0', '\u07ff')
                .withCharRange('\ue000', '\uffff')
                .ofMaxLength(40)
                .map(s -> s.length() % 5 == 0 ? s + "\ud83d\ude00" : s);
        return Arbitraries.oneOf(hostPort, unicode, Arbitraries.just(""));
    }
}
