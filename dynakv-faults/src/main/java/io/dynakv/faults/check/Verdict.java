package io.dynakv.faults.check;

import io.dynakv.faults.history.Op;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * Every checker's result for one run, and the run's one summary line, e.g. {@code ops=… acked=…
 * lost=0 resurrected=0 diverged=0 converge_s=… availability=…}.
 *
 * @param ops operations sent
 * @param acked operations acknowledged
 * @param anomalies checkers (a), (b) and (c), with evidence
 * @param convergeSeconds checker (d); empty when the replicas never converged
 * @param availability checker (e), by fault
 * @param duringFaults checker (e), over all faults
 */
public record Verdict(
        long ops,
        long acked,
        List<Anomaly> anomalies,
        OptionalDouble convergeSeconds,
        Map<String, AvailabilityCheck.Share> availability,
        AvailabilityCheck.Share duringFaults) {

    /** Runs every checker. */
    public static Verdict of(
            List<Op> history,
            Map<String, FinalValue> finals,
            List<ReplicaRead> replicaReads,
            int replicationFactor,
            List<ConvergenceCheck.Poll> polls) {
        List<Anomaly> anomalies = new java.util.ArrayList<>(DurabilityCheck.check(history, finals));
        anomalies.addAll(DivergenceCheck.check(replicaReads, replicationFactor));
        return new Verdict(
                history.size(),
                history.stream().filter(Op::acknowledged).count(),
                List.copyOf(anomalies),
                ConvergenceCheck.secondsToConverge(polls),
                AvailabilityCheck.byFault(history),
                AvailabilityCheck.duringFaults(history));
    }

    public long count(Anomaly.Kind kind) {
        return anomalies.stream().filter(a -> a.kind() == kind).count();
    }

    /** No lost write, resurrected delete, phantom value, diverged or unverified key, and the replicas converged. */
    public boolean passed() {
        return anomalies.isEmpty() && convergeSeconds.isPresent();
    }

    /** The one summary line of a run. */
    public String summaryLine() {
        return String.format(
                Locale.ROOT,
                "ops=%d acked=%d lost=%d resurrected=%d phantom=%d diverged=%d unverified=%d converge_s=%s"
                        + " availability=%s (%s)",
                ops,
                acked,
                count(Anomaly.Kind.LOST),
                count(Anomaly.Kind.RESURRECTED),
                count(Anomaly.Kind.PHANTOM),
                count(Anomaly.Kind.DIVERGED),
                count(Anomaly.Kind.UNVERIFIED),
                convergeSeconds.isPresent()
                        ? String.format(Locale.ROOT, "%.1f", convergeSeconds.getAsDouble())
                        : "never",
                duringFaults,
                availability.entrySet().stream()
                        .map(e -> e.getKey() + ":" + e.getValue())
                        .collect(Collectors.joining(",")));
    }
}
