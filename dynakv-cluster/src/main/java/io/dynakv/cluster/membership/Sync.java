package io.dynakv.cluster.membership;

import java.util.List;

/**
 * A push-pull exchange of whole member lists with one random member, as memberlist does beside
 * SWIM's gossip: infection-style dissemination (section 4.1) stops retransmitting an update once
 * it has been sent λ·log n times, so a node that joined through a member that had not yet heard
 * of someone would never hear of them. A joiner syncs once shortly after joining; every node
 * syncs again at a long interval that grows with the cluster, so the cost per node stays flat.
 *
 * @param reply false for the request (the receiver answers with its own list), true for the answer
 */
public record Sync(List<Member> members, boolean reply, List<Member> updates) implements SwimMessage {

    public Sync {
        members = List.copyOf(members);
        updates = List.copyOf(updates);
    }
}
