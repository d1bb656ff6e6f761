package io.dynakv.faults.nemesis;

import io.dynakv.faults.cluster.ClockShift;
import io.dynakv.faults.cluster.ClusterController;
import io.dynakv.faults.cluster.Network;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Applies a {@link Schedule} to the cluster, one fault at a time, on its own thread: waits for the
 * fault's start, applies it, holds it, heals it. A fault whose start has passed (an earlier restart
 * took long) starts at once. {@link #currentFault} labels the workload's operations.
 */
public final class Nemesis {

    private final ClusterController cluster;
    private final Network network;
    private final List<Fault> schedule;
    private final Consumer<String> log;
    private volatile String current = "none";

    public Nemesis(ClusterController cluster, Network network, List<Fault> schedule, Consumer<String> log) {
        this.cluster = cluster;
        this.network = network;
        this.schedule = List.copyOf(schedule);
        this.log = log;
    }

    /** The label of the fault in force now ({@code none} between faults). */
    public String currentFault() {
        return current;
    }

    /** Runs the schedule from {@code startNanos} until it ends or {@code deadlineNanos} passes; heals on the way out. */
    public void run(long startNanos, long deadlineNanos) throws InterruptedException {
        for (Fault fault : schedule) {
            long startAt = startNanos + Duration.ofMillis(fault.startMillis()).toNanos();
            sleepUntil(startAt);
            if (System.nanoTime() + Duration.ofMillis(fault.durationMillis()).toNanos() > deadlineNanos) {
                return;
            }
            long began = System.nanoTime();
            log.accept(String.format(
                    Locale.ROOT, "nemesis %.1f s: start %s", (began - startNanos) / 1e9, describe(fault)));
            current = fault.kind().label();
            try {
                apply(fault);
                sleepUntil(began + Duration.ofMillis(fault.durationMillis()).toNanos());
            } finally {
                heal(fault);
                current = "none";
            }
            log.accept(String.format(
                    Locale.ROOT,
                    "nemesis %.1f s: healed %s",
                    (System.nanoTime() - startNanos) / 1e9,
                    fault.kind().label()));
        }
    }

    private void apply(Fault fault) throws InterruptedException {
        int target = fault.slots().get(0);
        switch (fault.kind()) {
            case KILL -> cluster.kill9(target);
            case PAUSE -> cluster.pause(target);
            case CLOCK -> cluster.restart(
                    target,
                    new ClockShift(fault.clockOffsetMillis(), fault.clockStepMillis(), fault.durationMillis() / 2));
            case REPLACE -> cluster.replace(target);
            case ISOLATE, SPLIT, BRIDGE, ASYMMETRIC -> network.cut(fault.cuts(cluster.size()));
        }
    }

    private void heal(Fault fault) {
        int target = fault.slots().get(0);
        switch (fault.kind()) {
            case KILL, CLOCK -> cluster.restart(target, 0);
            case PAUSE -> cluster.resume(target);
            case REPLACE -> {
                // The replacement is already serving; nothing to undo.
            }
            case ISOLATE, SPLIT, BRIDGE, ASYMMETRIC -> network.heal();
        }
    }

    private String describe(Fault fault) {
        return fault + " (" + cluster.describe(fault.slots().get(0)) + ")";
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left = nanos - System.nanoTime();
        if (left > 0) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
    }
}
