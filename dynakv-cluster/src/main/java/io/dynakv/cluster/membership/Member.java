package io.dynakv.cluster.membership;

import io.dynakv.common.NodeId;
import java.util.Objects;

/**
 * One claim about a member: its id, the address it listens on ({@code host:port}), its status and
 * the incarnation the status refers to. Members' lists, snapshots and piggybacked gossip updates
 * are all made of these.
 *
 * @param incarnation raised only by the member itself, to refute a suspicion or to announce that
 *     it is back (SWIM section 4.2); never negative
 */
public record Member(NodeId id, String address, MemberStatus status, long incarnation) {

    public Member {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(status, "status");
        if (incarnation < 0) {
            throw new IllegalArgumentException("negative incarnation " + incarnation);
        }
    }

    public Member withStatus(MemberStatus newStatus) {
        return new Member(id, address, newStatus, incarnation);
    }

    public boolean isActive() {
        return status.isActive();
    }
}
