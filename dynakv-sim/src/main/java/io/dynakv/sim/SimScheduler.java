package io.dynakv.sim;

import io.dynakv.common.Scheduler;

/**
 * Fault model: timers fire exactly when the node's own (drifting) clock says the delay has
 * passed, on the simulator's single thread. A crash drops every pending timer of the node: the
 * process is gone and a restarted node gets a fresh scheduler, as a real process would.
 */
public final class SimScheduler implements Scheduler {

    private final Simulator sim;
    private final SimClock clock;
    private boolean stopped;

    public SimScheduler(Simulator sim, SimClock clock) {
        this.sim = sim;
        this.clock = clock;
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        if (stopped) {
            return () -> {};
        }
        Simulator.Event e = sim.schedule(clock.virtualDelay(delayNanos), () -> {
            if (!stopped) {
                task.run();
            }
        });
        return e::cancel;
    }

    /** The node crashed: nothing it scheduled runs anymore. */
    public void stop() {
        stopped = true;
    }

    public boolean stopped() {
        return stopped;
    }
}
