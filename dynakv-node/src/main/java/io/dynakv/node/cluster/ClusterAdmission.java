package io.dynakv.node.cluster;

import io.dynakv.cluster.membership.JoinPolicy;
import io.dynakv.cluster.membership.JoinRequest;
import io.dynakv.cluster.membership.Member;
import io.dynakv.cluster.membership.MemberStatus;
import io.dynakv.cluster.membership.SwimMembership;
import io.dynakv.common.NodeId;
import io.dynakv.transport.ClusterIdentity;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may join this cluster, and what a node does when it finds it is not what the cluster
 * expects (docs/cluster-identity.md). Runs on the control loop.
 *
 * <ul>
 *   <li>A joiner of another cluster is refused.
 *   <li>A new node at an address a member still holds under another id (that member's disk was
 *       wiped, or the machine replaced) is refused with the exact {@code --replace} command: joined
 *       as a stranger, it would leave the old identity in the ring as a dead replica for good.
 *   <li>A joiner with {@code --replace <id>} takes the dead member's place in the ring (same slots,
 *       nothing else moves) before it appears in the member list, then the dead member is removed.
 *   <li>A node that founded a cluster at this start, still alone, that a member of another cluster
 *       dials expecting another node at this address, is that member's wiped self: it stops, with
 *       the replace command, rather than serve as a second cluster at a member's address.
 * </ul>
 */
final class ClusterAdmission implements JoinPolicy {

    private static final Logger log = LoggerFactory.getLogger(ClusterAdmission.class);

    private final NodeId self;
    private final NodeAddress address;
    private final ClusterIdentity identity;
    private final ClusterMeta meta;
    private final Optional<NodeId> replaces;
    private final boolean foundedNow;
    private final SwimMembership swim;
    private final BiPredicate<NodeId, Member> replace;
    private final Consumer<String> expel;

    /**
     * @param foundedNow whether this node founded its cluster at this start (its data directory was
     *     empty and it was given no member to join)
     * @param replace makes the ring change of a replacement: (departed, newcomer) to true when done
     * @param expel stops this node, for the given reason
     */
    ClusterAdmission(
            NodeAddress address,
            ClusterIdentity identity,
            ClusterMeta meta,
            Optional<NodeId> replaces,
            boolean foundedNow,
            SwimMembership swim,
            BiPredicate<NodeId, Member> replace,
            Consumer<String> expel) {
        this.self = swim.self();
        this.address = address;
        this.identity = identity;
        this.meta = meta;
        this.replaces = replaces;
        this.foundedNow = foundedNow;
        this.swim = swim;
        this.replace = replace;
        this.expel = expel;
    }

    @Override
    public long clusterId() {
        return identity.id();
    }

    @Override
    public Optional<NodeId> replaces() {
        return replaces;
    }

    @Override
    public Optional<String> admit(JoinRequest request) {
        Member joiner = request.joiner();
        long ours = identity.id();
        if (request.clusterId() != NO_CLUSTER && ours != NO_CLUSTER && request.clusterId() != ours) {
            return refuse(
                    joiner,
                    "node " + joiner.id() + " belongs to cluster " + ClusterIdentity.format(request.clusterId())
                            + ", not to this one (" + ClusterIdentity.format(ours) + "): to join this cluster,"
                            + " start it on an empty --data-dir");
        }
        Optional<Member> known = swim.member(joiner.id());
        if (known.isPresent() && known.get().status() != MemberStatus.LEFT) {
            return Optional.empty(); // a member restarting (a replacement restarted with its flags, too)
        }
        if (request.replaces().isPresent()) {
            return admitReplacement(joiner, request.replaces().get());
        }
        for (Member m : swim.members()) {
            if (!m.id().equals(joiner.id()) && m.status() != MemberStatus.LEFT && sameAddress(m, joiner)) {
                return refuse(joiner, holderOf(m, joiner));
            }
        }
        return Optional.empty();
    }

    private Optional<String> admitReplacement(Member joiner, NodeId departed) {
        Optional<Member> old = swim.member(departed);
        if (old.isEmpty() || old.get().status() == MemberStatus.LEFT) {
            return refuse(
                    joiner,
                    "node " + departed + " is not a member of this cluster (or already left or was replaced):"
                            + " nothing to replace; start without --replace to join as a new node");
        }
        if (old.get().status() != MemberStatus.DEAD) {
            return refuse(
                    joiner,
                    "node " + departed + " is " + old.get().status().toString().toLowerCase(java.util.Locale.ROOT)
                            + ", not down: only a node the cluster sees down can be replaced. Stop it for good,"
                            + " wait until GET /membership shows it down, then retry");
        }
        if (!replace.test(departed, joiner)) {
            return refuse(joiner, "member " + self + " holds no ring yet: join through another member");
        }
        log.info(
                "node={} admitted node {} at {} in place of dead node {}, which is removed",
                self,
                joiner.id(),
                NodeAddress.httpOf(joiner.address()),
                departed);
        return Optional.empty();
    }

    private String holderOf(Member holder, Member joiner) {
        String at = NodeAddress.httpOf(joiner.address());
        if (holder.status() == MemberStatus.ALIVE || holder.status() == MemberStatus.SUSPECT) {
            return "address " + at + " is used by node " + holder.id() + ", which is up: give this node another"
                    + " address (--advertise), or stop the other one";
        }
        return "node " + joiner.id() + " is new, but " + at + " is the address of node " + holder.id()
                + " of this cluster, which is down (was its data directory wiped?). To let this node take its"
                + " place and partitions, streamed from the other replicas: bin/dynakv " + at + " "
                + address.http() + " --replace " + holder.id() + " (with the same flags). If node "
                + holder.id() + "'s data still exists, start it from that data instead";
    }

    /** On the joiner: adopt the cluster's id (a new node), once. */
    @Override
    public void admitted(long clusterId) {
        if (clusterId != NO_CLUSTER && identity.id() != clusterId) {
            identity.set(clusterId);
            meta.saveClusterId(clusterId);
            log.info("node={} joined cluster {}", self, ClusterIdentity.format(clusterId));
        }
    }

    @Override
    public void refused(NodeId by, String reason) {
        expel.accept("member " + by + " refused this node: " + reason);
    }

    /**
     * An inbound connection the transport refused for its identity. A node that founded a new
     * cluster at this start and is still alone, dialed by a member of another cluster that meant
     * another node at this address, is almost surely that node, wiped: stop, and say how to replace.
     * Anything else is only logged by the transport: a member of another cluster knocking at a node
     * with company or data is that other cluster's problem.
     */
    void onConflict(ClusterIdentity.Conflict conflict) {
        boolean alone = swim.members().stream().allMatch(m -> m.id().equals(self));
        long meant = conflict.expectedHere();
        if (!foundedNow || !alone || meant == 0 || meant == self.value() || conflict.peerCluster() == NO_CLUSTER) {
            return;
        }
        NodeId old = new NodeId(meant);
        expel.accept("this node (" + self + ") started on an empty data directory and founded a new cluster, but"
                + " member " + new NodeId(conflict.peerNode()) + " (" + conflict.peerContact() + ") of cluster "
                + ClusterIdentity.format(conflict.peerCluster()) + " dialed it expecting node " + old + " at "
                + address.http() + ": this is that node's address, and it must not be a second cluster."
                + " To replace node " + old + " with this one (its partitions are streamed again from the other"
                + " replicas): bin/dynakv " + address.http() + " " + conflict.peerContact() + " --replace " + old
                + " (with the same flags). If node " + old + "'s data still exists, start it from that data"
                + " instead");
    }

    private static boolean sameAddress(Member a, Member b) {
        return NodeAddress.httpOf(a.address()).equals(NodeAddress.httpOf(b.address()))
                || NodeAddress.peerOf(a.address()).equals(NodeAddress.peerOf(b.address()));
    }

    private static Optional<String> refuse(Member joiner, String reason) {
        log.warn("refused the join of node {} at {}: {}", joiner.id(), NodeAddress.httpOf(joiner.address()), reason);
        return Optional.of(reason);
    }
}
