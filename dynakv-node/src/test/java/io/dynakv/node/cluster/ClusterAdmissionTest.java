package io.dynakv.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.cluster.membership.JoinRequest;
import io.dynakv.cluster.membership.Member;
import io.dynakv.cluster.membership.MemberStatus;
import io.dynakv.cluster.membership.MembershipTransport;
import io.dynakv.cluster.membership.Ping;
import io.dynakv.cluster.membership.SwimConfig;
import io.dynakv.cluster.membership.SwimMembership;
import io.dynakv.common.Clock;
import io.dynakv.common.NodeId;
import io.dynakv.common.message.Message;
import io.dynakv.storage.InMemoryStorageEngine;
import io.dynakv.transport.ClusterIdentity;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Who a member admits, and when a node decides it is a wiped member's new self. */
class ClusterAdmissionTest {

    private static final long CLUSTER = 0xc1L;
    private static final NodeId SELF = new NodeId(0x01L);
    private static final NodeId UP = new NodeId(0x02L);
    private static final NodeId DOWN = new NodeId(0x03L);
    private static final NodeId NEWCOMER = new NodeId(0x09L);
    private static final String SELF_ADDRESS = "127.0.0.1:6660|127.0.0.1:16660";
    private static final String UP_ADDRESS = "127.0.0.1:6661|127.0.0.1:16661";
    private static final String DOWN_ADDRESS = "127.0.0.1:6662|127.0.0.1:16662";

    private final List<String> expelled = new ArrayList<>();
    private final List<String> replaced = new ArrayList<>();
    private final ClusterIdentity identity = new ClusterIdentity(CLUSTER);
    private final SwimMembership swim = new SwimMembership(
            SELF,
            SELF_ADDRESS,
            new NoTransport(),
            (delay, task) -> () -> {},
            new Clock() {
                @Override
                public long nowNanos() {
                    return 0;
                }

                @Override
                public long wallMillis() {
                    return 0;
                }
            },
            new SplittableRandom(1),
            SwimConfig.defaults());

    private ClusterAdmission admission(boolean foundedNow) {
        return new ClusterAdmission(
                NodeAddress.parse(SELF_ADDRESS),
                identity,
                new ClusterMeta(new InMemoryStorageEngine(), Runnable::run),
                Optional.empty(),
                foundedNow,
                swim,
                (departed, fresh) -> replaced.add(fresh.id() + " for " + departed),
                expelled::add);
    }

    /** This node knows one member up and one down. */
    private void withMembers() {
        swim.start();
        swim.onMessage(
                UP,
                new Ping(
                        1,
                        List.of(
                                new Member(UP, UP_ADDRESS, MemberStatus.ALIVE, 1),
                                new Member(DOWN, DOWN_ADDRESS, MemberStatus.DEAD, 1))));
    }

    private static JoinRequest join(String address, long cluster, Optional<NodeId> replaces) {
        return new JoinRequest(new Member(NEWCOMER, address, MemberStatus.ALIVE, 0), cluster, replaces, List.of());
    }

    @Test
    void aNewNodeAtADownMembersAddressIsToldTheReplaceCommand() {
        withMembers();
        Optional<String> refusal = admission(false).admit(join(DOWN_ADDRESS, 0, Optional.empty()));
        assertThat(refusal).hasValueSatisfying(r -> assertThat(r)
                .contains("bin/dynakv 127.0.0.1:6662 127.0.0.1:6660 --replace " + DOWN));
        assertThat(swim.member(NEWCOMER)).isEmpty();
    }

    @Test
    void aNewNodeAtAnUpMembersAddressIsToldToUseAnother() {
        withMembers();
        assertThat(admission(false).admit(join("127.0.0.1:6661|127.0.0.1:19999", 0, Optional.empty())))
                .hasValueSatisfying(r -> assertThat(r).contains("which is up").doesNotContain("--replace"));
    }

    @Test
    void aJoinerOfAnotherClusterIsRefusedAndOneWithoutIsAdmitted() {
        withMembers();
        ClusterAdmission admission = admission(false);
        assertThat(admission.admit(join("127.0.0.1:6670|127.0.0.1:16670", 0xc2L, Optional.empty())))
                .hasValueSatisfying(r -> assertThat(r).contains("cluster 00000000000000c2"));
        assertThat(admission.admit(join("127.0.0.1:6670|127.0.0.1:16670", 0, Optional.empty())))
                .isEmpty();
    }

    @Test
    void onlyADownMemberCanBeReplacedAndTheRingChangesBeforeAdmission() {
        withMembers();
        ClusterAdmission admission = admission(false);
        assertThat(admission.admit(join(UP_ADDRESS, 0, Optional.of(UP))))
                .hasValueSatisfying(r -> assertThat(r).contains("not down"));
        assertThat(admission.admit(join(DOWN_ADDRESS, 0, Optional.of(new NodeId(0x77L)))))
                .hasValueSatisfying(r -> assertThat(r).contains("not a member"));
        assertThat(replaced).isEmpty();

        assertThat(admission.admit(join(DOWN_ADDRESS, 0, Optional.of(DOWN)))).isEmpty();
        assertThat(replaced).containsExactly(NEWCOMER + " for " + DOWN);
    }

    @Test
    void aLoneFounderDialledForAnotherNodeOfAnotherClusterStopsWithTheReplaceCommand() {
        swim.start();
        ClusterIdentity.Conflict dialled =
                new ClusterIdentity.Conflict(UP.value(), "127.0.0.1:16661", "127.0.0.1:6661", 0xc2L, DOWN.value());

        admission(false).onConflict(dialled);
        assertThat(expelled)
                .as("a node that did not found its cluster at this start")
                .isEmpty();
        admission(true).onConflict(new ClusterIdentity.Conflict(UP.value(), "x", "y", 0xc2L, 0));
        assertThat(expelled)
                .as("a dialer that meant no particular node (a join)")
                .isEmpty();

        admission(true).onConflict(dialled);
        assertThat(expelled)
                .singleElement()
                .asString()
                .contains("bin/dynakv 127.0.0.1:6660 127.0.0.1:6661 --replace " + DOWN);
    }

    @Test
    void aFounderWithCompanyIsNeverStoppedByAnotherCluster() {
        withMembers();
        admission(true)
                .onConflict(new ClusterIdentity.Conflict(
                        0x42L, "127.0.0.1:16700", "127.0.0.1:6700", 0xc2L, new NodeId(0x55L).value()));
        assertThat(expelled).isEmpty();
    }

    /** Membership messages go nowhere: the tests look at decisions, not traffic. */
    private static final class NoTransport implements MembershipTransport {
        @Override
        public void send(NodeId to, Message message) {}

        @Override
        public void sendToAddress(String address, Message message) {}
    }
}
