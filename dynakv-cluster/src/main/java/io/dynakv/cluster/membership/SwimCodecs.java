package io.dynakv.cluster.membership;

import io.dynakv.common.NodeId;
import io.dynakv.common.codec.ByteReader;
import io.dynakv.common.codec.ByteWriter;
import io.dynakv.common.codec.MalformedFrameException;
import io.dynakv.common.codec.MessageCodec;
import io.dynakv.common.codec.WireStrings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The binary form of SWIM membership messages, schema version 2 (see {@link MessageCodec} for the
 * frame around them). Type ids 1-99 belong to membership; the replica protocol has 100-199 and
 * must not reuse these. Never renumber or reuse an id: add a new one.
 *
 * <pre>
 * 1 Ping         [seq:u64][updates]
 * 2 Ack          [seq:u64][target:u64][updates]
 * 3 PingReq      [seq:u64][target:u64][targetAddress:address][updates]
 * 4 JoinRequest  [joiner:member][cluster:u64][replaces:u64, 0 = none][updates]
 * 5 JoinReply    [cluster:u64][members][updates]
 * 6 Leave        [leaver:member, status LEFT][updates]
 * 7 Sync         [reply:u8 0|1][members][updates]
 * 8 JoinRefused  [reason:varint length 0..1024, UTF-8][updates]
 *
 * member   = [id:u64][address][status:u8][incarnation:varint, 0..2^63-1]
 * status   = 0 ALIVE, 1 SUSPECT, 2 DEAD, 3 LEFT (fixed codes, not ordinals)
 * address  = [varint length 0..512][UTF-8], decoded strictly (malformed UTF-8 is refused)
 * members  = [varint count 0..10000][member]*   (whole member lists: JoinReply, Sync)
 * updates  = [varint count 0..256][member]*     (piggybacked gossip, SWIM section 4.1)
 * </pre>
 *
 * Every count and length is checked against its limit and against what remains of the body
 * before anything is allocated, so a hostile count cannot make the decoder reserve memory for
 * entries that are not there. The limits: addresses {@value #MAX_ADDRESS_BYTES} bytes, member
 * lists {@value #MAX_MEMBERS} entries (a cluster larger than that needs a new message kind, not a
 * larger limit: a full list of that size is already about 5 MiB), piggybacked updates
 * {@value #MAX_UPDATES} (far above {@link SwimConfig#maxPiggyback()}'s default of 8; a node
 * configured above it fails at the sender). A sender that exceeds a limit gets an
 * {@link IllegalArgumentException}; a receiver sees a {@link MalformedFrameException}.
 */
public final class SwimCodecs {

    public static final int PING = 1;
    public static final int ACK = 2;
    public static final int PING_REQ = 3;
    public static final int JOIN_REQUEST = 4;
    public static final int JOIN_REPLY = 5;
    public static final int LEAVE = 6;
    public static final int SYNC = 7;
    public static final int JOIN_REFUSED = 8;

    /** The range reserved for membership (inclusive). */
    public static final int FIRST_TYPE_ID = 1;

    public static final int LAST_TYPE_ID = 99;

    public static final int MAX_ADDRESS_BYTES = 512;
    public static final int MAX_MEMBERS = 10_000;
    public static final int MAX_UPDATES = 256;
    public static final int MAX_REASON_BYTES = 1024;

    /** The smallest encoded member: id, empty address, status, one-byte incarnation. */
    private static final int MIN_MEMBER_BYTES = 8 + 1 + 1 + 1;

    private SwimCodecs() {}

    /** Registers the eight SWIM kinds with {@code codec}; throws if an id is taken. */
    public static MessageCodec register(MessageCodec codec) {
        return codec.register(
                        PING,
                        Ping.class,
                        (m, out) -> writeUpdates(out.writeLong(m.seq()), m.updates()),
                        in -> new Ping(in.readLong(), readUpdates(in)))
                .register(
                        ACK,
                        Ack.class,
                        (m, out) -> writeUpdates(
                                out.writeLong(m.seq()).writeLong(m.target().value()), m.updates()),
                        in -> new Ack(in.readLong(), new NodeId(in.readLong()), readUpdates(in)))
                .register(PING_REQ, PingReq.class, SwimCodecs::writePingReq, SwimCodecs::readPingReq)
                .register(JOIN_REQUEST, JoinRequest.class, SwimCodecs::writeJoinRequest, SwimCodecs::readJoinRequest)
                .register(
                        JOIN_REPLY,
                        JoinReply.class,
                        (m, out) -> writeUpdates(writeMembers(out.writeLong(m.clusterId()), m.members()), m.updates()),
                        in -> new JoinReply(in.readLong(), readMembers(in), readUpdates(in)))
                .register(
                        JOIN_REFUSED,
                        JoinRefused.class,
                        (m, out) -> writeUpdates(
                                WireStrings.write(out, m.reason(), MAX_REASON_BYTES, "reason"), m.updates()),
                        in -> new JoinRefused(WireStrings.read(in, 0, MAX_REASON_BYTES, "reason"), readUpdates(in)))
                .register(
                        LEAVE,
                        Leave.class,
                        (m, out) -> writeUpdates(writeMember(out, m.leaver()), m.updates()),
                        SwimCodecs::readLeave)
                .register(SYNC, Sync.class, SwimCodecs::writeSync, SwimCodecs::readSync);
    }

    private static void writeJoinRequest(JoinRequest m, ByteWriter out) {
        writeMember(out, m.joiner());
        out.writeLong(m.clusterId()).writeLong(m.replaces().map(NodeId::value).orElse(0L));
        writeUpdates(out, m.updates());
    }

    private static JoinRequest readJoinRequest(ByteReader in) {
        Member joiner = readMember(in);
        long cluster = in.readLong();
        long replaces = in.readLong();
        return new JoinRequest(
                joiner, cluster, replaces == 0 ? Optional.empty() : Optional.of(new NodeId(replaces)), readUpdates(in));
    }

    private static void writePingReq(PingReq m, ByteWriter out) {
        out.writeLong(m.seq()).writeLong(m.target().value());
        writeAddress(out, m.targetAddress());
        writeUpdates(out, m.updates());
    }

    private static PingReq readPingReq(ByteReader in) {
        long seq = in.readLong();
        NodeId target = new NodeId(in.readLong());
        String targetAddress = readAddress(in);
        return new PingReq(seq, target, targetAddress, readUpdates(in));
    }

    private static Leave readLeave(ByteReader in) {
        Member leaver = readMember(in);
        if (leaver.status() != MemberStatus.LEFT) {
            throw new MalformedFrameException("a leave must say LEFT, not " + leaver.status());
        }
        return new Leave(leaver, readUpdates(in));
    }

    private static void writeSync(Sync m, ByteWriter out) {
        out.writeByte(m.reply() ? 1 : 0);
        writeMembers(out, m.members());
        writeUpdates(out, m.updates());
    }

    private static Sync readSync(ByteReader in) {
        int reply = in.readByte();
        if (reply > 1) {
            throw new MalformedFrameException("reply flag " + reply + " is neither 0 nor 1");
        }
        List<Member> members = readMembers(in);
        return new Sync(members, reply == 1, readUpdates(in));
    }

    private static ByteWriter writeMembers(ByteWriter out, List<Member> members) {
        return writeList(out, members, MAX_MEMBERS, "member list");
    }

    private static List<Member> readMembers(ByteReader in) {
        return readList(in, MAX_MEMBERS, "member list");
    }

    private static ByteWriter writeUpdates(ByteWriter out, List<Member> updates) {
        return writeList(out, updates, MAX_UPDATES, "piggybacked updates");
    }

    private static List<Member> readUpdates(ByteReader in) {
        return readList(in, MAX_UPDATES, "piggybacked updates");
    }

    private static ByteWriter writeList(ByteWriter out, List<Member> list, int max, String what) {
        if (list.size() > max) {
            throw new IllegalArgumentException(what + " of " + list.size() + " entries exceeds " + max);
        }
        out.writeVarLong(list.size());
        for (Member member : list) {
            writeMember(out, member);
        }
        return out;
    }

    private static List<Member> readList(ByteReader in, int max, String what) {
        long count = in.readVarLong();
        // Unsigned on the wire: a count with bit 63 set is negative here.
        if (count < 0 || count > max || count > in.remaining() / MIN_MEMBER_BYTES) {
            throw new MalformedFrameException(what + " count " + count + " is outside 0.." + max + " or beyond the "
                    + in.remaining() + " bytes left");
        }
        List<Member> out = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            out.add(readMember(in));
        }
        return out;
    }

    private static ByteWriter writeMember(ByteWriter out, Member member) {
        out.writeLong(member.id().value());
        writeAddress(out, member.address());
        out.writeByte(statusCode(member.status()));
        return out.writeVarLong(member.incarnation()); // never negative: Member checks
    }

    private static Member readMember(ByteReader in) {
        NodeId id = new NodeId(in.readLong());
        String address = readAddress(in);
        MemberStatus status = status(in.readByte());
        long incarnation = in.readVarLong();
        if (incarnation < 0) {
            throw new MalformedFrameException("negative incarnation " + incarnation);
        }
        return new Member(id, address, status, incarnation);
    }

    /** Explicit codes, so reordering or extending the enum cannot change the wire format. */
    private static int statusCode(MemberStatus status) {
        return switch (status) {
            case ALIVE -> 0;
            case SUSPECT -> 1;
            case DEAD -> 2;
            case LEFT -> 3;
        };
    }

    private static MemberStatus status(int code) {
        return switch (code) {
            case 0 -> MemberStatus.ALIVE;
            case 1 -> MemberStatus.SUSPECT;
            case 2 -> MemberStatus.DEAD;
            case 3 -> MemberStatus.LEFT;
            default -> throw new MalformedFrameException("unknown member status code " + code);
        };
    }

    private static ByteWriter writeAddress(ByteWriter out, String address) {
        return WireStrings.write(out, address, MAX_ADDRESS_BYTES, "address");
    }

    private static String readAddress(ByteReader in) {
        return WireStrings.read(in, 0, MAX_ADDRESS_BYTES, "address");
    }
}
