package io.dynakv.faults.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * How a node's wall clock is wrong for a clock fault: shifted by {@code offsetMillis} from its
 * start, then stepped by {@code stepMillis} (forward or back) {@code stepAfterMillis} after it,
 * through the node's test-only flags. Its monotonic clock is never touched.
 */
public record ClockShift(long offsetMillis, long stepMillis, long stepAfterMillis) {

    /** The true time. */
    public static final ClockShift NONE = new ClockShift(0, 0, 0);

    /** The node's command-line flags for this shift; none for the true time. */
    List<String> flags() {
        List<String> flags = new ArrayList<>();
        if (offsetMillis != 0) {
            flags.addAll(List.of("--test-clock-offset-ms", Long.toString(offsetMillis)));
        }
        if (stepMillis != 0) {
            flags.addAll(List.of(
                    "--test-clock-step-ms",
                    Long.toString(stepMillis),
                    "--test-clock-step-after-ms",
                    Long.toString(stepAfterMillis)));
        }
        return flags;
    }
}
