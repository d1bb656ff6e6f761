package io.dynakv.faults.check;

import io.dynakv.faults.history.Op;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Checker (e): the share of operations that succeeded, by the fault in force when they were sent.
 * A measure, not a pass/fail: during a minority partition some requests must fail (Dynamo trades
 * nothing for availability under W=2 of 3 when two replicas are cut off).
 */
public final class AvailabilityCheck {

    /** Acknowledged operations out of all sent. */
    public record Share(long ok, long total) {

        public double ratio() {
            return total == 0 ? 1.0 : (double) ok / total;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.3f", ratio());
        }
    }

    private AvailabilityCheck() {}

    /** The share of each fault (and of {@code none}, between faults), by fault name. */
    public static Map<String, Share> byFault(List<Op> history) {
        return history.stream()
                .collect(Collectors.groupingBy(
                        Op::fault,
                        TreeMap::new,
                        Collectors.teeing(
                                Collectors.filtering(Op::acknowledged, Collectors.counting()),
                                Collectors.counting(),
                                Share::new)));
    }

    /** The share of the operations sent while any fault was in force. */
    public static Share duringFaults(List<Op> history) {
        List<Op> during =
                history.stream().filter(op -> !op.fault().equals("none")).toList();
        return new Share(during.stream().filter(Op::acknowledged).count(), during.size());
    }
}
