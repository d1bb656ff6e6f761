package io.dynakv.replication.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.common.NodeId;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The tracker against a naive count (as etcd-io/raft's quorum/quick_test.go does). */
class QuorumTrackerTest {

    @Property(tries = 500)
    void matchesANaiveCount(
            @ForAll @IntRange(min = 1, max = 7) int n,
            @ForAll @IntRange(min = 1, max = 7) int required,
            @ForAll @Size(max = 20) List<@IntRange(min = 0, max = 15) Integer> events) {
        if (required > n) {
            assertThatThrownBy(() -> new QuorumTracker(nodes(n), required))
                    .isInstanceOf(IllegalArgumentException.class);
            return;
        }
        QuorumTracker tracker = new QuorumTracker(nodes(n), required);
        List<Long> ok = new ArrayList<>();
        List<Long> failed = new ArrayList<>();
        for (int e : events) {
            long node = 1 + e % 8; // node 8 is not a replica: ignored
            boolean success = e < 8;
            if (success) {
                tracker.succeeded(new NodeId(node));
                if (node <= n && !failed.contains(node) && !ok.contains(node)) {
                    ok.add(node);
                }
            } else {
                tracker.failed(new NodeId(node));
                if (node <= n && !ok.contains(node) && !failed.contains(node)) {
                    failed.add(node);
                }
            }
        }
        QuorumTracker.Vote expected = ok.size() >= required
                ? QuorumTracker.Vote.WON
                : n - failed.size() < required ? QuorumTracker.Vote.LOST : QuorumTracker.Vote.PENDING;
        assertThat(tracker.vote()).isEqualTo(expected);
        assertThat(tracker.successes()).isEqualTo(ok.size());
    }

    private static List<NodeId> nodes(int n) {
        List<NodeId> nodes = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            nodes.add(new NodeId(i));
        }
        return nodes;
    }
}
