package io.dynakv.replication.coordinator;

import io.dynakv.common.Clock;
import io.dynakv.common.Scheduler;
import java.util.PriorityQueue;

/**
 * Virtual time for the in-process test clusters: a {@link Clock} that moves only when told, and a
 * {@link Scheduler} whose timers fire in (due time, scheduling order) when time passes them, so
 * ties never depend on anything but the order the test caused.
 */
final class VirtualTime implements Clock, Scheduler {

    /** Wall time at virtual zero: any fixed, realistic epoch millisecond. */
    private static final long EPOCH_MILLIS = 1_700_000_000_000L;

    private final PriorityQueue<Timer> timers =
            new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private long nowNanos;
    private long seq;

    private static final class Timer {
        final long at;
        final long seq;
        final Runnable task;
        boolean cancelled;

        Timer(long at, long seq, Runnable task) {
            this.at = at;
            this.seq = seq;
            this.task = task;
        }
    }

    @Override
    public long nowNanos() {
        return nowNanos;
    }

    @Override
    public long wallMillis() {
        return EPOCH_MILLIS + nowNanos / 1_000_000;
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        Timer timer = new Timer(nowNanos + delayNanos, seq++, task);
        timers.add(timer);
        return () -> timer.cancelled = true;
    }

    /** Moves time forward and fires every timer now due, running {@code afterEach} after each. */
    void advanceNanos(long nanos, Runnable afterEach) {
        nowNanos += nanos;
        while (!timers.isEmpty() && timers.peek().at <= nowNanos) {
            Timer timer = timers.poll();
            if (!timer.cancelled) {
                timer.task.run();
            }
            afterEach.run();
        }
    }
}
