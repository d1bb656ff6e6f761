package io.dynakv.sim;

import io.dynakv.cluster.membership.JoinReply;
import io.dynakv.cluster.membership.Member;
import io.dynakv.cluster.membership.PingReq;
import io.dynakv.cluster.membership.SwimMessage;
import io.dynakv.cluster.membership.Sync;
import io.dynakv.common.message.Message;
import java.nio.charset.StandardCharsets;

/**
 * An estimate of a membership message's size on the wire, for the simulator's traffic figures:
 * a frame header, the fixed fields, and each carried member claim (id, address, status,
 * incarnation). The real codec lives in dynakv-transport; this only needs to be close.
 */
public final class WireSize {

    /** Length prefix, type id, schema version, sequence number. */
    private static final int HEADER_BYTES = 4 + 1 + 1 + 8;

    private WireSize() {}

    public static int estimate(Message message) {
        if (!(message instanceof SwimMessage)) {
            return HEADER_BYTES;
        }
        SwimMessage m = (SwimMessage) message;
        int bytes = HEADER_BYTES + 2 + claims(m);
        if (m instanceof PingReq) {
            bytes += 8 + 2 + ((PingReq) m).targetAddress().length();
        } else {
            bytes += 8; // the target of an ack, the joiner's id, ...: one id at most
        }
        return bytes;
    }

    /** Claims carried: piggybacked updates plus, for a join reply or a sync, the member list. */
    public static int claimCount(Message message) {
        if (!(message instanceof SwimMessage)) {
            return 0;
        }
        SwimMessage m = (SwimMessage) message;
        return m.updates().size() + listed(m).size();
    }

    private static int claims(SwimMessage m) {
        int bytes = 0;
        for (Member c : m.updates()) {
            bytes += claim(c);
        }
        for (Member c : listed(m)) {
            bytes += claim(c);
        }
        return bytes;
    }

    /** The whole member list that join replies and syncs carry. */
    private static java.util.List<Member> listed(SwimMessage m) {
        if (m instanceof JoinReply) {
            return ((JoinReply) m).members();
        }
        return m instanceof Sync ? ((Sync) m).members() : java.util.List.of();
    }

    private static int claim(Member c) {
        return 8 + 2 + c.address().getBytes(StandardCharsets.UTF_8).length + 1 + 8;
    }
}
