package io.dynakv.common;

/**
 * Timers for protocol code. A task runs on the same event loop that scheduled it, so protocol
 * state needs no locks. Production backs this with the loop's timer; the simulator with its
 * virtual-time event queue.
 */
public interface Scheduler {

    /** Runs {@code task} on this loop after {@code delayNanos}, unless cancelled first. */
    Cancellable schedule(long delayNanos, Runnable task);

    /** A scheduled task that has not run yet can be cancelled; cancelling later is a no-op. */
    interface Cancellable {
        void cancel();
    }
}
