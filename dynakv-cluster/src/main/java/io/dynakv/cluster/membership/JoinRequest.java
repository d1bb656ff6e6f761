package io.dynakv.cluster.membership;

import io.dynakv.common.NodeId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Sent by a new (or restarted) node to the address of any member, before it knows that member's
 * id: see {@link MembershipTransport#sendToAddress}. SWIM leaves joining to an out-of-band
 * mechanism (section 5); ours is this request and the full list in the {@link JoinReply}, or a
 * {@link JoinRefused} when the member's {@link JoinPolicy} will not admit the joiner.
 *
 * @param joiner the new node, ALIVE, with its current incarnation
 * @param clusterId the cluster the joiner belongs to; {@link JoinPolicy#NO_CLUSTER} for a new node
 * @param replaces the dead member whose place the joiner takes, when an operator asked for that
 */
public record JoinRequest(Member joiner, long clusterId, Optional<NodeId> replaces, List<Member> updates)
        implements SwimMessage {

    public JoinRequest {
        Objects.requireNonNull(joiner, "joiner");
        Objects.requireNonNull(replaces, "replaces");
        updates = List.copyOf(updates);
    }
}
