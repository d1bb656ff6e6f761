package io.dynakv.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each rule of {@link ReplicationChecker} fires on a hand-made history that breaks it, and only then. */
class ReplicationCheckerTest {

    private static final NodeId A = new NodeId(1);
    private static final NodeId B = new NodeId(2);
    private static final String KEY = "k00";

    private static Versioned put(String value, long hlc, NodeId writer, Map<NodeId, Long> clock) {
        return new Versioned(
                VersionVector.of(clock), hlc, writer, ValueKind.BYTES, value.getBytes(StandardCharsets.UTF_8));
    }

    private static Versioned delete(long hlc, NodeId writer, Map<NodeId, Long> clock) {
        return Versioned.tombstone(VersionVector.of(clock), hlc, writer);
    }

    private static ReplicationChecker.Op ack(ReplicationChecker c, Versioned v, long at) {
        ReplicationChecker.Kind kind = v.isTombstone() ? ReplicationChecker.Kind.DELETE : ReplicationChecker.Kind.PUT;
        String value = v.isTombstone() ? null : ReplicationChecker.text(v);
        ReplicationChecker.Op op = c.issue(0, kind, KEY, v.writer(), at, value, false);
        c.sent(KEY, v);
        c.writeAcked(op, v, at + 1);
        return op;
    }

    @Test
    void aConvergedStateThatDescendsEveryAcknowledgedWriteIsFine() {
        ReplicationChecker c = new ReplicationChecker(0);
        Versioned x = put("x", 10, A, Map.of(A, 1L));
        Versioned y = put("y", 20, B, Map.of(B, 1L)); // concurrent with x; y wins the merge
        ack(c, x, 0);
        ack(c, y, 5);
        c.checkFinal(Map.of(KEY, Optional.of(put("y", 20, B, Map.of(A, 1L, B, 1L)))));
        assertThat(c.violations()).isEmpty();
    }

    @Test
    void aLostAcknowledgedWriteIsReported() {
        ReplicationChecker c = new ReplicationChecker(0);
        ack(c, put("x", 10, A, Map.of(A, 1L)), 0);
        Versioned y = put("y", 20, B, Map.of(B, 1L));
        c.sent(KEY, y);
        c.checkFinal(Map.of(KEY, Optional.of(y)));
        assertThat(c.violations()).singleElement().asString().contains("(1) acknowledged");
    }

    @Test
    void aReusedDotWithAnotherValueIsALostWrite() {
        ReplicationChecker c = new ReplicationChecker(0);
        ack(c, put("x", 10, A, Map.of(A, 1L)), 0);
        Versioned other = put("y", 20, A, Map.of(A, 1L));
        c.sent(KEY, other);
        c.checkFinal(Map.of(KEY, Optional.of(other)));
        assertThat(c.violations()).singleElement().asString().contains("(1) acknowledged");
    }

    @Test
    void aValueThatAnAcknowledgedDeleteHadSeenMustNotComeBack() {
        ReplicationChecker c = new ReplicationChecker(0);
        Versioned x = put("x", 10, A, Map.of(A, 1L));
        ack(c, x, 0);
        ack(c, delete(20, A, Map.of(A, 2L)), 5);
        // A replica that forgot the delete brings x back under a clock that claims to descend it.
        c.checkFinal(Map.of(KEY, Optional.of(put("x", 10, A, Map.of(A, 3L)))));
        assertThat(c.violations()).anyMatch(v -> v.contains("(2a)")).anyMatch(v -> v.contains("(2b)"));
    }

    @Test
    void aKeyLastDeletedMustConvergeToATombstone() {
        ReplicationChecker c = new ReplicationChecker(0);
        ack(c, put("x", 10, A, Map.of(A, 1L)), 0);
        ack(c, delete(20, A, Map.of(A, 2L)), 5);
        c.checkFinal(Map.of(KEY, Optional.empty()));
        assertThat(c.violations()).anyMatch(v -> v.contains("(2b)"));
    }

    @Test
    void aReadMissingAWriteAcknowledgedBeforeItIsReported() {
        ReplicationChecker c = new ReplicationChecker(0);
        Versioned x = put("x", 10, A, Map.of(A, 1L));
        ack(c, x, 0);
        ReplicationChecker.Op read = c.issue(1, ReplicationChecker.Kind.GET, KEY, B, 5, null, false);
        c.readDone(read, Optional.empty(), 6);
        assertThat(c.violations()).singleElement().asString().contains("read-your-writes");
    }
}
