package io.dynakv.faults.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.faults.history.Op;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConvergenceAndAvailabilityTest {

    private final Ops ops = new Ops();

    @Test
    void convergenceIsTheFirstPollWithNoDivergedKey() {
        List<ConvergenceCheck.Poll> polls = List.of(
                new ConvergenceCheck.Poll(1_000_000, 4),
                new ConvergenceCheck.Poll(2_500_000, 0),
                new ConvergenceCheck.Poll(3_000_000, 0));
        assertThat(ConvergenceCheck.secondsToConverge(polls)).hasValue(2.5);
    }

    @Test
    void neverConvergingIsEmpty() {
        List<ConvergenceCheck.Poll> polls = List.of(new ConvergenceCheck.Poll(1_000_000, 4));
        assertThat(ConvergenceCheck.secondsToConverge(polls)).isEmpty();
    }

    @Test
    void availabilityIsCountedPerFault() {
        List<Op> history = List.of(
                ops.read("k", null, 0, 1, Op.Outcome.OK, "none"),
                ops.read("k", null, 0, 1, Op.Outcome.OK, "kill"),
                ops.read("k", null, 0, 1, Op.Outcome.UNKNOWN, "kill"),
                ops.read("k", null, 0, 1, Op.Outcome.FAIL, "partition-one"));
        Map<String, AvailabilityCheck.Share> shares = AvailabilityCheck.byFault(history);
        assertThat(shares.get("none").ratio()).isEqualTo(1.0);
        assertThat(shares.get("kill").ratio()).isEqualTo(0.5);
        assertThat(shares.get("partition-one").ratio()).isZero();
        assertThat(AvailabilityCheck.duringFaults(history)).isEqualTo(new AvailabilityCheck.Share(1, 3));
    }

    @Test
    void theSummaryLineCountsEachAnomalyAndFailsABrokenRun() {
        List<Op> history = List.of(ops.write("k", "a", 0, 10), ops.delete("k", 20, 30));
        List<ReplicaRead> reads = List.of(
                new ReplicaRead("k", "a", true, 200, "v1", "a"),
                new ReplicaRead("k", "b", true, 404, null, null),
                new ReplicaRead("k", "c", true, 404, null, null));
        Verdict verdict = Verdict.of(
                history,
                Map.of("k", new FinalValue("k", "a")),
                reads,
                3,
                List.of(new ConvergenceCheck.Poll(5_000_000, 1)));
        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.summaryLine())
                .startsWith("ops=2 acked=2 lost=0 resurrected=1 phantom=0 diverged=1 unverified=0 converge_s=never");
    }
}
