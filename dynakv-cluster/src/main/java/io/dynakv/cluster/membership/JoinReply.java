package io.dynakv.cluster.membership;

import java.util.List;

/**
 * The answer to a {@link JoinRequest}: the replier's whole member list (itself included, sorted by
 * id), so the joiner knows the cluster at once instead of waiting for gossip, and the cluster's id,
 * which the joiner adopts. Not bounded like piggybacked updates: it is sent once per join.
 */
public record JoinReply(long clusterId, List<Member> members, List<Member> updates) implements SwimMessage {

    public JoinReply {
        members = List.copyOf(members);
        updates = List.copyOf(updates);
    }
}
