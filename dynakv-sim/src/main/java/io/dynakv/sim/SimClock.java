package io.dynakv.sim;

import io.dynakv.common.Clock;

/**
 * Fault model: a node's clock runs at a constant drift rate (parts per million, either sign) and
 * starts at its own offset, so no two nodes agree on the time, as with real quartz clocks and NTP
 * skew; it never runs backwards (monotonic time stays monotonic). Timers on this node measure
 * delays by this clock ({@link #virtualDelay}). The wall clock alone can also be stepped, forward
 * or back, by any amount ({@link #stepWall}): a clock set wrong by minutes, an NTP step, a VM
 * resumed from a snapshot. Monotonic time and timers do not see the step, as on a real machine.
 */
public final class SimClock implements Clock {

    private static final long PPM = 1_000_000L;
    /** Wall time at virtual time zero: 2025-01-01T00:00:00Z, fixed so runs replay exactly. */
    private static final long EPOCH_MILLIS = 1_735_689_600_000L;

    private final Simulator sim;
    private final long offsetNanos;
    private final long driftPpm;
    private long wallStepNanos;

    /**
     * @param offsetNanos this node's skew: added to every reading (either sign)
     * @param driftPpm how fast this clock runs: +100 gains 100 µs per second
     */
    public SimClock(Simulator sim, long offsetNanos, long driftPpm) {
        if (Math.abs(driftPpm) >= PPM / 2) {
            throw new IllegalArgumentException("drift beyond ±50% is not a clock: " + driftPpm);
        }
        this.sim = sim;
        this.offsetNanos = offsetNanos;
        this.driftPpm = driftPpm;
    }

    @Override
    public long nowNanos() {
        long t = sim.nowNanos();
        return offsetNanos + t + t / PPM * driftPpm + (t % PPM) * driftPpm / PPM;
    }

    @Override
    public long wallMillis() {
        return EPOCH_MILLIS + Math.floorDiv(nowNanos() + wallStepNanos, 1_000_000L);
    }

    /** Moves the wall clock by {@code nanos} (either sign) from now on; monotonic time is untouched. */
    public void stepWall(long nanos) {
        wallStepNanos += nanos;
    }

    /** How far the wall clock has been stepped in all, beyond the offset and drift. */
    public long wallStepNanos() {
        return wallStepNanos;
    }

    /**
     * How much simulator time passes while this clock measures {@code localNanos}, rounded up: a
     * timer must never fire before its own clock says the delay has passed (rounding down made a
     * protocol that re-checks its deadline spin at one instant).
     */
    long virtualDelay(long localNanos) {
        long rate = PPM + driftPpm;
        long whole = localNanos / rate * PPM;
        long rest = localNanos % rate * PPM;
        return whole + rest / rate + (rest % rate == 0 ? 0 : 1);
    }

    public long driftPpm() {
        return driftPpm;
    }

    public long offsetNanos() {
        return offsetNanos;
    }
}
