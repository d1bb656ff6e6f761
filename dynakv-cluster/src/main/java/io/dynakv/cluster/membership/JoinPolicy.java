package io.dynakv.cluster.membership;

import io.dynakv.common.NodeId;
import java.util.Optional;

/**
 * What the node around SWIM decides about joins: which cluster it belongs to, whom a member admits,
 * and what a joiner does with the answer. SWIM itself admits anyone (the paper leaves joining out of
 * band); the node uses this to keep clusters apart and to refuse a stranger at a member's address.
 * Called on the membership's event loop.
 */
public interface JoinPolicy {

    /** The cluster id of a node that belongs to no cluster yet: matches any. */
    long NO_CLUSTER = 0;

    /** The cluster this node belongs to, sent in join requests and replies; {@link #NO_CLUSTER} if none yet. */
    long clusterId();

    /** The dead member this node takes the place of, when it joins to replace one. */
    Optional<NodeId> replaces();

    /**
     * On a member, before the joiner is applied: why it is refused (told to the joiner, written for
     * its operator), or empty to admit it. Admitting may act (a replacement takes its place in the
     * ring here, before the joiner appears in the member list).
     */
    Optional<String> admit(JoinRequest request);

    /** On the joiner: a member admitted it into cluster {@code clusterId}. */
    void admitted(long clusterId);

    /** On the joiner: member {@code by} refused it, for {@code reason}. */
    void refused(NodeId by, String reason);

    /** Admits everyone, belongs to no cluster: SWIM on its own (tests, the simulator). */
    JoinPolicy OPEN = new JoinPolicy() {
        @Override
        public long clusterId() {
            return NO_CLUSTER;
        }

        @Override
        public Optional<NodeId> replaces() {
            return Optional.empty();
        }

        @Override
        public Optional<String> admit(JoinRequest request) {
            return Optional.empty();
        }

        @Override
        public void admitted(long clusterId) {}

        @Override
        public void refused(NodeId by, String reason) {}
    };
}
