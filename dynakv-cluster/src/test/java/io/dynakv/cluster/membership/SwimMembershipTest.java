package io.dynakv.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.common.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SWIM on a tiny lossless network; the simulator in dynakv-sim covers loss, skew and scale. */
class SwimMembershipTest {

    private static final long PERIOD = SwimConfig.defaults().protocolPeriodNanos();
    private final TinyNetwork net = new TinyNetwork();
    private final List<SwimMembership> nodes = new ArrayList<>();

    @BeforeEach
    void threeNodes() {
        for (int i = 0; i < 3; i++) {
            nodes.add(node(i, 0));
        }
        nodes.get(0).start();
        nodes.get(1).join(address(0));
        nodes.get(2).join(address(1));
        net.runFor(10 * PERIOD);
    }

    private static NodeId id(int i) {
        return new NodeId(100 + i);
    }

    private static String address(int i) {
        return "node" + i + ".test:6660";
    }

    private SwimMembership node(int i, long incarnation) {
        SwimMembership m = new SwimMembership(
                id(i),
                address(i),
                net.transport(id(i)),
                net,
                net,
                new SplittableRandom(i),
                SwimConfig.defaults(),
                incarnation);
        net.attach(id(i), address(i), m);
        return m;
    }

    private static MemberStatus statusOf(SwimMembership at, int i) {
        return at.member(id(i)).orElseThrow().status();
    }

    @Test
    void joinsThroughAnyMemberAndEveryoneSeesEveryone() {
        for (SwimMembership n : nodes) {
            assertThat(n.members()).extracting(Member::status).containsOnly(MemberStatus.ALIVE);
            assertThat(n.activeCount()).isEqualTo(3);
            assertThat(n.joined()).isTrue();
        }
        assertThat(nodes.get(0).addressOf(id(2))).contains(address(2));
    }

    @Test
    void aSilentNodeIsSuspectedThenDeclaredDead() {
        List<String> changes = new ArrayList<>();
        nodes.get(0).addListener((before, after) -> changes.add(after.status().name()));
        net.cutOff(id(2), true);
        // Probed within a round or two (2 periods each, SWIM 4.3), then 3 periods of suspicion.
        net.runFor(4 * PERIOD);
        assertThat(statusOf(nodes.get(0), 2)).isIn(MemberStatus.SUSPECT, MemberStatus.DEAD);
        net.runFor(6 * PERIOD);
        assertThat(statusOf(nodes.get(0), 2)).isEqualTo(MemberStatus.DEAD);
        assertThat(statusOf(nodes.get(1), 2)).isEqualTo(MemberStatus.DEAD);
        assertThat(nodes.get(0).activeCount()).isEqualTo(2);
        assertThat(changes).containsExactly("SUSPECT", "DEAD");
    }

    @Test
    void aNodeDeclaredDeadComesBackWithAHigherIncarnationWhenReachableAgain() {
        net.cutOff(id(2), true);
        net.runFor(12 * PERIOD);
        assertThat(statusOf(nodes.get(0), 2)).isEqualTo(MemberStatus.DEAD);
        net.cutOff(id(2), false);
        net.runFor(20 * PERIOD);
        for (SwimMembership n : nodes) {
            assertThat(n.members()).extracting(Member::status).containsOnly(MemberStatus.ALIVE);
        }
        assertThat(nodes.get(2).incarnation()).isPositive();
        assertThat(nodes.get(0).member(id(2)).orElseThrow().incarnation())
                .isEqualTo(nodes.get(2).incarnation());
    }

    @Test
    void aSuspectedNodeRefutesByRaisingItsIncarnation() {
        SwimMembership target = nodes.get(1);
        Member suspicion = new Member(id(1), address(1), MemberStatus.SUSPECT, target.incarnation());
        target.onMessage(id(0), new Ping(999, List.of(suspicion)));
        assertThat(target.incarnation()).isEqualTo(1);
        net.runFor(3 * PERIOD);
        assertThat(nodes.get(0).member(id(1)).orElseThrow())
                .isEqualTo(new Member(id(1), address(1), MemberStatus.ALIVE, 1));
    }

    @Test
    void aRestartedNodeRejoinsAsANewIncarnation() {
        net.cutOff(id(2), true);
        net.runFor(12 * PERIOD);
        net.cutOff(id(2), false);
        SwimMembership restarted = node(2, nodes.get(2).incarnation() + 1);
        restarted.join(address(0));
        net.runFor(5 * PERIOD);
        assertThat(statusOf(nodes.get(0), 2)).isEqualTo(MemberStatus.ALIVE);
        assertThat(statusOf(nodes.get(1), 2)).isEqualTo(MemberStatus.ALIVE);
        assertThat(restarted.activeCount()).isEqualTo(3);
    }

    @Test
    void aLeavingNodeIsLeftEverywhereAndNotProbed() {
        nodes.get(2).leave();
        net.runFor(PERIOD);
        assertThat(statusOf(nodes.get(0), 2)).isEqualTo(MemberStatus.LEFT);
        assertThat(statusOf(nodes.get(1), 2)).isEqualTo(MemberStatus.LEFT);
        net.sent.clear();
        net.runFor(10 * PERIOD);
        assertThat(net.sent).noneMatch(s -> s.contains("->" + id(2)) || s.startsWith(id(2).toString()));
        assertThat(nodes.get(0).activeCount()).isEqualTo(2);
    }

    @Test
    void anOperatorRemovesADeadNodeForGood() {
        net.cutOff(id(2), true);
        net.runFor(12 * PERIOD);
        assertThat(nodes.get(0).remove(id(2))).isTrue();
        net.runFor(3 * PERIOD);
        assertThat(statusOf(nodes.get(1), 2)).isEqualTo(MemberStatus.LEFT);
        net.cutOff(id(2), false);
        net.runFor(10 * PERIOD);
        assertThat(statusOf(nodes.get(0), 2)).isEqualTo(MemberStatus.LEFT);
        assertThat(statusOf(nodes.get(2), 2)).isEqualTo(MemberStatus.LEFT); // it heard and stopped
        assertThatThrownBy(() -> nodes.get(0).remove(id(0))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sameSeedSameMessages() {
        List<String> first = List.copyOf(net.sent);
        TinyNetwork again = new TinyNetwork();
        List<SwimMembership> more = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            SwimMembership m = new SwimMembership(
                    id(i),
                    address(i),
                    again.transport(id(i)),
                    again,
                    again,
                    new SplittableRandom(i),
                    SwimConfig.defaults());
            again.attach(id(i), address(i), m);
            more.add(m);
        }
        more.get(0).start();
        more.get(1).join(address(0));
        more.get(2).join(address(1));
        again.runFor(10 * PERIOD);
        assertThat(again.sent).isEqualTo(first);
    }

    @Test
    void aJoinThePolicyRefusesIsAnsweredWithTheReasonAndNeverApplied() {
        List<String> refusals = new ArrayList<>();
        nodes.get(0).useJoinPolicy(new RefusingPolicy("not this one", 0xc1L, refusals));
        SwimMembership stranger = node(3, 0);
        stranger.useJoinPolicy(new RefusingPolicy("unused", JoinPolicy.NO_CLUSTER, refusals));
        stranger.join(address(0));
        net.runFor(3 * PERIOD);

        assertThat(refusals)
                .as("refusals heard (the joiner retries until its node stops)")
                .isNotEmpty()
                .containsOnly(id(0) + ": not this one");
        assertThat(stranger.joined()).isFalse();
        for (SwimMembership n : nodes) {
            assertThat(n.member(id(3)))
                    .as("the refused joiner in a member's list")
                    .isEmpty();
        }
    }

    @Test
    void aJoinerAdoptsTheClusterIdOfTheMemberThatAdmitsIt() {
        List<Long> admitted = new ArrayList<>();
        nodes.get(1).useJoinPolicy(new OpenPolicy(0xc1L, admitted));
        SwimMembership joiner = node(3, 0);
        joiner.useJoinPolicy(new OpenPolicy(JoinPolicy.NO_CLUSTER, admitted));
        joiner.join(address(1));
        net.runFor(3 * PERIOD);

        assertThat(joiner.joined()).isTrue();
        assertThat(admitted).containsExactly(0xc1L);
    }

    /** Admits everyone; records the cluster ids it was admitted into. */
    private record OpenPolicy(long clusterId, List<Long> admitted) implements JoinPolicy {
        @Override
        public java.util.Optional<NodeId> replaces() {
            return java.util.Optional.empty();
        }

        @Override
        public java.util.Optional<String> admit(JoinRequest request) {
            return java.util.Optional.empty();
        }

        @Override
        public void admitted(long id) {
            admitted.add(id);
        }

        @Override
        public void refused(NodeId by, String reason) {}
    }

    /** Refuses every joiner with {@code reason}; records the refusals it hears as a joiner. */
    private record RefusingPolicy(String reason, long clusterId, List<String> refusals) implements JoinPolicy {
        @Override
        public java.util.Optional<NodeId> replaces() {
            return java.util.Optional.empty();
        }

        @Override
        public java.util.Optional<String> admit(JoinRequest request) {
            return java.util.Optional.of(reason);
        }

        @Override
        public void admitted(long id) {}

        @Override
        public void refused(NodeId by, String why) {
            refusals.add(by + ": " + why);
        }
    }
}
