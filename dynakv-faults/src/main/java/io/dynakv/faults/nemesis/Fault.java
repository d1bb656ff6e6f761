package io.dynakv.faults.nemesis;

import io.dynakv.faults.cluster.Network;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One scheduled fault.
 *
 * @param startMillis when it starts, after the workload started
 * @param kind what it does
 * @param durationMillis how long it stays in force before it is healed
 * @param slots the nodes it touches, in the kind's order (see {@link Kind})
 * @param clockOffsetMillis the wall-clock shift of a {@link Kind#CLOCK} fault, else 0
 * @param clockStepMillis how far a {@link Kind#CLOCK} fault then steps the node's wall clock,
 *     forward or back, halfway through the fault (0: no step)
 */
public record Fault(
        long startMillis,
        Kind kind,
        long durationMillis,
        List<Integer> slots,
        long clockOffsetMillis,
        long clockStepMillis) {

    /** The kinds of fault; their lower-case names label operations in the history. */
    public enum Kind {
        /** kill -9 of {@code slots[0]}, restarted when healed. */
        KILL,
        /** SIGSTOP of {@code slots[0]}, SIGCONT when healed. */
        PAUSE,
        /** {@code slots[0]} cut from every other node, both ways. */
        ISOLATE,
        /** {@code slots[0..1]} (minority) cut from the rest (majority), both ways. */
        SPLIT,
        /** {@code slots[0..1]} cut from {@code slots[2..3]} both ways; {@code slots[4]} sees both sides. */
        BRIDGE,
        /** The others drop what {@code slots[0]} sends; it still hears them. */
        ASYMMETRIC,
        /**
         * {@code slots[0]} restarted with its wall clock shifted (minutes, either way), which may
         * step forward or back while it runs; restarted with the true time when healed.
         */
        CLOCK,
        /** {@code slots[0]} killed, removed from the cluster and replaced by a new, empty node. */
        REPLACE;

        public boolean isPartition() {
            return this == ISOLATE || this == SPLIT || this == BRIDGE || this == ASYMMETRIC;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The links a partition fault drops, for a cluster of {@code size} nodes. */
    public Set<Network.Cut> cuts(int size) {
        java.util.Set<Network.Cut> cuts = new java.util.HashSet<>();
        switch (kind) {
            case ISOLATE -> cutBothWays(cuts, slots.subList(0, 1), others(size, slots.subList(0, 1)));
            case SPLIT -> cutBothWays(cuts, slots.subList(0, 2), others(size, slots.subList(0, 2)));
            case BRIDGE -> cutBothWays(cuts, slots.subList(0, 2), slots.subList(2, 4));
            case ASYMMETRIC -> others(size, slots.subList(0, 1))
                    .forEach(o -> cuts.add(new Network.Cut(slots.get(0), o)));
            default -> throw new IllegalStateException(kind + " is not a partition");
        }
        return Set.copyOf(cuts);
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "at %6.1f s %-10s for %4.1f s nodes %s%s",
                startMillis / 1e3,
                kind.label(),
                durationMillis / 1e3,
                slots.stream().map(s -> "n" + (s + 1)).toList(),
                kind == Kind.CLOCK
                        ? " offset " + clockOffsetMillis + " ms"
                                + (clockStepMillis == 0 ? "" : " step " + clockStepMillis + " ms")
                        : "");
    }

    private static List<Integer> others(int size, List<Integer> side) {
        return java.util.stream.IntStream.range(0, size)
                .boxed()
                .filter(s -> !side.contains(s))
                .toList();
    }

    private static void cutBothWays(Set<Network.Cut> cuts, List<Integer> a, List<Integer> b) {
        for (int x : a) {
            for (int y : b) {
                cuts.add(new Network.Cut(x, y));
                cuts.add(new Network.Cut(y, x));
            }
        }
    }
}
