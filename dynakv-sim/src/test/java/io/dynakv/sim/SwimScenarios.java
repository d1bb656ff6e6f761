package io.dynakv.sim;

import io.dynakv.cluster.membership.SwimConfig;

/** Shared set-up of the membership simulations. */
final class SwimScenarios {

    /** Clock skew up to ±2 s and drift up to ±200 ppm: generous for NTP-synchronised machines. */
    static final long SKEW_NANOS = 2_000_000_000L;

    static final long DRIFT_PPM = 200;

    private SwimScenarios() {}

    static SwimSimulation simulation(long seed, NetworkOptions options) {
        return new SwimSimulation(seed, SwimConfig.defaults(), options, SKEW_NANOS, DRIFT_PPM);
    }

    /**
     * Starts node 0, then joins nodes 1..n-1 one after another, each through a random earlier
     * node, every {@code spacingNanos}; returns the simulation right after the last join.
     */
    static SwimSimulation joinSequentially(long seed, int n, long spacingNanos, NetworkOptions options) {
        SwimSimulation s = simulation(seed, options);
        for (int i = 0; i < n; i++) {
            s.addNode();
        }
        s.start(0);
        for (int i = 1; i < n; i++) {
            s.simulator().runFor(spacingNanos);
            s.join(i, s.simulator().random().nextInt(i));
        }
        return s;
    }

    /** Joins n nodes and waits for convergence; fails the run when it takes over the budget. */
    static SwimSimulation converged(long seed, int n, long budgetPeriods) {
        SwimSimulation s = joinSequentially(seed, n, s0Spacing(), NetworkOptions.lan());
        long periods = s.periodsUntil(s::converged, budgetPeriods);
        if (periods < 0) {
            throw new AssertionError(
                    "seed " + seed + ": " + n + " nodes did not converge in " + budgetPeriods + " periods");
        }
        return s;
    }

    /**
     * One join per protocol period. Each join is one update that every node piggybacks λ·log n
     * times; at 8 updates per message and ~2 messages per node per period, faster joins than
     * this saturate the piggyback slots, and news queues up (SWIM bounds bandwidth, not delay).
     */
    static long s0Spacing() {
        return SwimConfig.defaults().protocolPeriodNanos();
    }
}
