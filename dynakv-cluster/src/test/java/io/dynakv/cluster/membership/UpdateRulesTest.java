package io.dynakv.cluster.membership;

import static io.dynakv.cluster.membership.MemberStatus.ALIVE;
import static io.dynakv.cluster.membership.MemberStatus.DEAD;
import static io.dynakv.cluster.membership.MemberStatus.LEFT;
import static io.dynakv.cluster.membership.MemberStatus.SUSPECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.NodeId;
import org.junit.jupiter.api.Test;

/** The override order of SWIM section 4.2, with DEAD revivable and LEFT final. */
class UpdateRulesTest {

    private static Member m(MemberStatus s, long inc) {
        return new Member(new NodeId(7), "h:1", s, inc);
    }

    private static boolean wins(Member a, Member b) {
        return UpdateRules.supersedes(a, b);
    }

    @Test
    void aliveNeedsAHigherIncarnation() {
        assertThat(wins(m(ALIVE, 2), m(ALIVE, 1))).isTrue();
        assertThat(wins(m(ALIVE, 1), m(ALIVE, 1))).isFalse();
        assertThat(wins(m(ALIVE, 1), m(SUSPECT, 1))).isFalse();
        assertThat(wins(m(ALIVE, 2), m(SUSPECT, 1))).isTrue();
        assertThat(wins(m(ALIVE, 2), m(DEAD, 1))).isTrue(); // a restarted member returns
        assertThat(wins(m(ALIVE, 1), m(DEAD, 1))).isFalse();
    }

    @Test
    void suspectOverridesAliveOfTheSameIncarnation() {
        assertThat(wins(m(SUSPECT, 1), m(ALIVE, 1))).isTrue();
        assertThat(wins(m(SUSPECT, 0), m(ALIVE, 1))).isFalse();
        assertThat(wins(m(SUSPECT, 1), m(SUSPECT, 1))).isFalse();
        assertThat(wins(m(SUSPECT, 2), m(SUSPECT, 1))).isTrue();
        assertThat(wins(m(SUSPECT, 1), m(DEAD, 1))).isFalse();
    }

    @Test
    void deadOverridesAliveAndSuspectOfTheSameIncarnation() {
        assertThat(wins(m(DEAD, 1), m(ALIVE, 1))).isTrue();
        assertThat(wins(m(DEAD, 1), m(SUSPECT, 1))).isTrue();
        assertThat(wins(m(DEAD, 0), m(ALIVE, 1))).isFalse();
        assertThat(wins(m(DEAD, 1), m(DEAD, 1))).isFalse();
    }

    @Test
    void leftIsFinal() {
        assertThat(wins(m(LEFT, 0), m(ALIVE, 5))).isTrue();
        assertThat(wins(m(ALIVE, 9), m(LEFT, 0))).isFalse();
        assertThat(wins(m(LEFT, 9), m(LEFT, 0))).isFalse();
    }
}
