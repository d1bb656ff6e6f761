package io.dynakv.cluster.membership;

import java.util.List;

/**
 * Sent by a new (or restarted) node to the address of any member, before it knows that member's
 * id: see {@link MembershipTransport#sendToAddress}. SWIM leaves joining to an out-of-band
 * mechanism (section 5); ours is this request and the full list in the {@link JoinReply}.
 *
 * @param joiner the new node, ALIVE, with its current incarnation
 */
public record JoinRequest(Member joiner, List<Member> updates) implements SwimMessage {

    public JoinRequest {
        updates = List.copyOf(updates);
    }
}
