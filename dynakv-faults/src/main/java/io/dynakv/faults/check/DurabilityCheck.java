package io.dynakv.faults.check;

import io.dynakv.faults.history.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Checkers (a) lost writes, (b) resurrected deletes, and phantom values, over the history and each
 * key's final value. The rules, and what "superseded" means, are in this package's documentation.
 */
public final class DurabilityCheck {

    private DurabilityCheck() {}

    /** Every anomaly of these kinds (and unverified keys), by key then operation id. */
    public static List<Anomaly> check(List<Op> history, Map<String, FinalValue> finals) {
        Map<String, List<Op>> byKey = history.stream()
                .filter(op -> op.kind() != Op.Kind.READ && op.outcome() != Op.Outcome.FAIL)
                .collect(Collectors.groupingBy(Op::key));
        List<Anomaly> anomalies = new ArrayList<>();
        byKey.keySet().stream().sorted().forEach(key -> {
            List<Op> ops = byKey.get(key);
            FinalValue last = finals.getOrDefault(key, FinalValue.absent(key));
            if (!last.readable()) {
                anomalies.add(new Anomaly(Anomaly.Kind.UNVERIFIED, key, last.unreadable()));
                return;
            }
            Optional<Op> writer = writerOf(last, ops);
            if (last.present() && writer.isEmpty()) {
                anomalies.add(new Anomaly(
                        Anomaly.Kind.PHANTOM, key, "final value " + last.value() + " was written by no operation"));
                return;
            }
            for (Op op : ops) {
                if (!op.acknowledged()) {
                    continue;
                }
                if (op.kind().writesValue() && isLost(op, ops, last, writer)) {
                    anomalies.add(new Anomaly(Anomaly.Kind.LOST, key, lostEvidence(op, last, writer)));
                } else if (op.kind() == Op.Kind.DELETE
                        && last.present()
                        && writer.orElseThrow().precedes(op)) {
                    anomalies.add(new Anomaly(
                            Anomaly.Kind.RESURRECTED,
                            key,
                            "delete op " + op.id() + " acknowledged at " + op.completeMicros() + " us, yet the key"
                                    + " holds " + last.value() + " written by op "
                                    + writer.orElseThrow().id()
                                    + " which completed at "
                                    + writer.orElseThrow().completeMicros() + " us,"
                                    + " before the delete was invoked at " + op.invokeMicros() + " us"));
                }
            }
        });
        return anomalies;
    }

    /**
     * The operation whose effect the final state is: the write of the final value, or, when the key
     * is absent, none (any delete may be it, see {@link #isLost}).
     */
    private static Optional<Op> writerOf(FinalValue last, List<Op> ops) {
        if (!last.present()) {
            return Optional.empty();
        }
        return ops.stream()
                .filter(op -> op.kind().writesValue() && last.value().equals(op.value()))
                .findFirst();
    }

    private static boolean isLost(Op write, List<Op> ops, FinalValue last, Optional<Op> writer) {
        if (last.present() && writer.orElseThrow().id() == write.id()) {
            return false;
        }
        boolean laterAcknowledged =
                ops.stream().anyMatch(op -> op.id() != write.id() && op.acknowledged() && write.precedes(op));
        if (laterAcknowledged) {
            return false;
        }
        if (last.present()) {
            return writer.orElseThrow().precedes(write);
        }
        return ops.stream().noneMatch(op -> op.kind() == Op.Kind.DELETE && !op.precedes(write));
    }

    private static String lostEvidence(Op write, FinalValue last, Optional<Op> writer) {
        String end = last.present()
                ? "the key holds " + last.value() + " from op "
                        + writer.orElseThrow().id() + " (completed at "
                        + writer.orElseThrow().completeMicros() + " us, before this write was invoked)"
                : "the key is absent and no delete was concurrent with or later than it";
        return "write op " + write.id() + " of " + write.value() + " (version " + write.version() + ") acknowledged at "
                + write.completeMicros() + " us by " + write.node() + ", superseded by nothing: " + end;
    }
}
