package io.dynakv.faults.nemesis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** The faults of a run, drawn from its seed: the same seed, length and options give the same list. */
public final class Schedule {

    /** Quiet time before the first fault and between faults, so the workload sees a healthy cluster too. */
    private static final long QUIET_MIN_MILLIS = 2_000;

    private static final long QUIET_SPAN_MILLIS = 3_000;
    private static final long FAULT_MIN_MILLIS = 4_000;
    private static final long FAULT_SPAN_MILLIS = 6_000;
    /** Clocks off by minutes (issue 9): ten times the HLC's 60 s drift bound. */
    private static final long CLOCK_OFFSET_MAX_MILLIS = 600_000;

    private Schedule() {}

    /**
     * Faults for a run of {@code runMillis} over {@code size} nodes (at least 5 for the partition
     * shapes), ending {@code FAULT_MIN_MILLIS} before the run does.
     */
    public static List<Fault> generate(long seed, long runMillis, int size, boolean partitions) {
        SplittableRandom random = new SplittableRandom(seed);
        // Clock steps draw from their own stream, so adding them kept every seed's other faults.
        SplittableRandom steps = new SplittableRandom(~seed);
        List<Fault.Kind> kinds = Arrays.stream(Fault.Kind.values())
                .filter(k -> partitions || !k.isPartition())
                .toList();
        List<Fault> faults = new ArrayList<>();
        long at = QUIET_MIN_MILLIS + random.nextLong(QUIET_SPAN_MILLIS);
        while (true) {
            long duration = FAULT_MIN_MILLIS + random.nextLong(FAULT_SPAN_MILLIS);
            if (at + duration > runMillis - FAULT_MIN_MILLIS) {
                return List.copyOf(faults);
            }
            Fault.Kind kind = kinds.get(random.nextInt(kinds.size()));
            long offset = kind == Fault.Kind.CLOCK
                    ? random.nextLong(-CLOCK_OFFSET_MAX_MILLIS, CLOCK_OFFSET_MAX_MILLIS + 1)
                    : 0;
            long step = kind == Fault.Kind.CLOCK && steps.nextBoolean()
                    ? steps.nextLong(-CLOCK_OFFSET_MAX_MILLIS, CLOCK_OFFSET_MAX_MILLIS + 1) - offset
                    : 0;
            faults.add(new Fault(at, kind, duration, shuffled(size, random), offset, step));
            at += duration + QUIET_MIN_MILLIS + random.nextLong(QUIET_SPAN_MILLIS);
        }
    }

    private static List<Integer> shuffled(int size, SplittableRandom random) {
        Integer[] slots = new Integer[size];
        for (int i = 0; i < size; i++) {
            slots[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Integer t = slots[i];
            slots[i] = slots[j];
            slots[j] = t;
        }
        return List.of(slots);
    }
}
