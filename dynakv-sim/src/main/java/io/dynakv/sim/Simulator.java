package io.dynakv.sim;

import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * The heart of the deterministic simulator (after TigerBeetle's VOPR): one thread pops events from
 * a priority queue ordered by (virtual time, sequence number), so ties never depend on hash or
 * thread order, and all randomness descends from one seed. Same seed, same run: {@link #trace()}
 * hashes what happened so two runs can be compared.
 */
public final class Simulator {

    /** A scheduled action; cancelling marks it so the loop skips it when popped. */
    public static final class Event {
        final long atNanos;
        final long seq;
        final Runnable action;
        boolean cancelled;

        Event(long atNanos, long seq, Runnable action) {
            this.atNanos = atNanos;
            this.seq = seq;
            this.action = action;
        }

        public void cancel() {
            cancelled = true;
        }
    }

    private final long seed;
    private final SplittableRandom random;
    private final PriorityQueue<Event> queue = new PriorityQueue<>(
            (a, b) -> a.atNanos != b.atNanos ? Long.compare(a.atNanos, b.atNanos) : Long.compare(a.seq, b.seq));
    private final TraceHash trace = new TraceHash();
    private long nowNanos;
    private long nextSeq;
    private long steps;

    public Simulator(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    public long seed() {
        return seed;
    }

    /** Virtual time since the start of the run; node clocks derive their own from it. */
    public long nowNanos() {
        return nowNanos;
    }

    public long steps() {
        return steps;
    }

    public TraceHash trace() {
        return trace;
    }

    /** The run's root random stream, for choices the scenario itself makes. */
    public SplittableRandom random() {
        return random;
    }

    /**
     * An independent stream for one component (a node, the network), split off the root so that
     * one component drawing more numbers does not shift what the others draw.
     */
    public SplittableRandom split() {
        return random.split();
    }

    public Event schedule(long delayNanos, Runnable action) {
        if (delayNanos < 0) {
            throw new IllegalArgumentException("negative delay " + delayNanos);
        }
        Event e = new Event(nowNanos + delayNanos, nextSeq++, action);
        queue.add(e);
        return e;
    }

    /** Runs the next event; false when none is left. */
    public boolean step() {
        Event e = queue.poll();
        while (e != null && e.cancelled) {
            e = queue.poll();
        }
        if (e == null) {
            return false;
        }
        if (e.atNanos < nowNanos) {
            throw new IllegalStateException("time went backwards: " + e.atNanos + " < " + nowNanos);
        }
        nowNanos = e.atNanos;
        steps++;
        e.action.run();
        return true;
    }

    /** Runs every event up to {@code nowNanos() + durationNanos}, then sets the time there. */
    public void runFor(long durationNanos) {
        long end = nowNanos + durationNanos;
        while (!queue.isEmpty() && queue.peek().atNanos <= end) {
            step();
        }
        nowNanos = Math.max(nowNanos, end);
    }

    /**
     * Runs until {@code done} holds, checked every {@code checkEveryNanos} of virtual time (a
     * check may be costly), or until {@code budgetNanos} pass. Returns the virtual time taken,
     * or -1 when the budget ran out first.
     */
    public long runUntil(BooleanSupplier done, long checkEveryNanos, long budgetNanos) {
        long start = nowNanos;
        while (nowNanos - start < budgetNanos) {
            if (done.getAsBoolean()) {
                return nowNanos - start;
            }
            runFor(checkEveryNanos);
        }
        return done.getAsBoolean() ? nowNanos - start : -1;
    }
}
