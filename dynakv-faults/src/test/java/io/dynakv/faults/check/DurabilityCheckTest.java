package io.dynakv.faults.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.faults.history.Op;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DurabilityCheckTest {

    private final Ops ops = new Ops();

    private static Map<String, FinalValue> finalValue(String key, String value) {
        return Map.of(key, new FinalValue(key, value));
    }

    @Test
    void theLastAcknowledgedWritePresentIsFine() {
        List<Op> history = List.of(ops.write("k", "a", 0, 10), ops.write("k", "b", 20, 30));
        assertThat(DurabilityCheck.check(history, finalValue("k", "b"))).isEmpty();
    }

    @Test
    void aKeyWhoseFinalReadFailedIsUnverifiedNotLost() {
        List<Op> history = List.of(ops.write("k", "a", 0, 10));
        List<Anomaly> found =
                DurabilityCheck.check(history, Map.of("k", FinalValue.unreadable("k", "answered 503 still streaming")));
        assertThat(found).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Anomaly.Kind.UNVERIFIED);
            assertThat(a.evidence()).contains("503");
        });
    }

    @Test
    void anAcknowledgedWriteMissingAtTheEndIsLost() {
        List<Op> history = List.of(ops.write("k", "a", 0, 10), ops.write("k", "b", 20, 30));
        List<Anomaly> found = DurabilityCheck.check(history, finalValue("k", "a"));
        assertThat(found).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Anomaly.Kind.LOST);
            assertThat(a.evidence()).contains("write op 2 of b");
        });
    }

    @Test
    void aKeyWithNoValueAndNoDeleteLosesItsWrites() {
        List<Op> history = List.of(ops.write("k", "a", 0, 10));
        assertThat(DurabilityCheck.check(history, Map.of()))
                .extracting(Anomaly::kind)
                .containsExactly(Anomaly.Kind.LOST);
    }

    @Test
    void aConcurrentWriteWhoseValueSurvivedSupersedes() {
        // b overlaps a in time; the cluster resolved them to a: b is superseded, not lost.
        List<Op> history = List.of(ops.write("k", "a", 0, 30), ops.write("k", "b", 10, 20));
        assertThat(DurabilityCheck.check(history, finalValue("k", "a"))).isEmpty();
    }

    @Test
    void anIndeterminateWriteMayLandLaterAndSupersede() {
        // c got no answer at 15 but a hint can replay it at any time: it overlaps everything after it.
        List<Op> history = List.of(ops.unknownWrite("k", "c", 5, 15), ops.write("k", "b", 20, 30));
        assertThat(DurabilityCheck.check(history, finalValue("k", "c"))).isEmpty();
    }

    @Test
    void aLaterAcknowledgedDeleteSupersedesAndAnAbsentKeyIsThenFine() {
        List<Op> history = List.of(ops.write("k", "a", 0, 10), ops.delete("k", 20, 30));
        assertThat(DurabilityCheck.check(history, Map.of())).isEmpty();
    }

    @Test
    void aDeleteThatCompletedBeforeTheWriteCannotExplainItsAbsence() {
        List<Op> history = List.of(ops.unknownDelete("k", 0, 5), ops.delete("k", 0, 10), ops.write("k", "a", 20, 30));
        // The unknown delete never completes, so it may explain it: fine.
        assertThat(DurabilityCheck.check(history, Map.of())).isEmpty();
        List<Op> acknowledgedOnly = List.of(ops.delete("k", 0, 10), ops.write("k", "a", 20, 30));
        assertThat(DurabilityCheck.check(acknowledgedOnly, Map.of()))
                .extracting(Anomaly::kind)
                .containsExactly(Anomaly.Kind.LOST);
    }

    @Test
    void aDeletedValueThatComesBackIsResurrected() {
        List<Op> history = List.of(ops.write("k", "a", 0, 10), ops.delete("k", 20, 30));
        List<Anomaly> found = DurabilityCheck.check(history, finalValue("k", "a"));
        assertThat(found).extracting(Anomaly::kind).contains(Anomaly.Kind.RESURRECTED);
        assertThat(found.stream().filter(a -> a.kind() == Anomaly.Kind.RESURRECTED))
                .singleElement()
                .satisfies(a -> assertThat(a.evidence()).contains("delete op 2"));
    }

    @Test
    void aWriteConcurrentWithTheDeleteMayWin() {
        List<Op> history = List.of(ops.delete("k", 0, 30), ops.write("k", "a", 10, 20));
        assertThat(DurabilityCheck.check(history, finalValue("k", "a"))).isEmpty();
    }

    @Test
    void aValueNobodyWroteIsPhantom() {
        List<Op> history = List.of(ops.write("k", "a", 0, 10));
        assertThat(DurabilityCheck.check(history, finalValue("k", "zz")))
                .extracting(Anomaly::kind)
                .containsExactly(Anomaly.Kind.PHANTOM);
    }

    @Test
    void failedAndReadOperationsPromiseNothing() {
        Op failed = new Op(9, 0, Op.Kind.WRITE, "k", "f", 0, 1, Op.Outcome.FAIL, null, "n1", "kill", "refused");
        List<Op> history = List.of(failed, ops.read("k", null, 0, 1, Op.Outcome.OK, "none"));
        assertThat(DurabilityCheck.check(history, Map.of())).isEmpty();
    }
}
