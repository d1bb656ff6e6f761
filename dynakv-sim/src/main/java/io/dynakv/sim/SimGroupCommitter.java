package io.dynakv.sim;

import io.dynakv.common.Scheduler;
import io.dynakv.replication.replica.Durability;
import io.dynakv.storage.InMemoryStorageEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A node's group committer on simulated time: the first write waiting for durability starts an
 * fsync that takes a random delay; when it completes ({@code storage.sync()}), every write up to
 * the storage sequence at which that fsync <em>started</em> is acknowledged, and writes that
 * arrived meanwhile wait for the next fsync, as with the real committer. One per process: a crash
 * stops its scheduler, so the acknowledgements it still owed are never sent.
 *
 * <p>With {@code ackBeforeFsync} it is the deliberately broken disk of the checker's self-test:
 * it acknowledges at once and fsyncs only every 100 ms, so a machine crash loses acknowledged
 * writes.
 */
final class SimGroupCommitter implements Durability {

    private static final long PERIODIC_FSYNC_NANOS = 100_000_000L;

    private record Waiter(long sequence, Runnable onDurable) {}

    private final Scheduler scheduler;
    private final InMemoryStorageEngine storage;
    private final SplittableRandom random;
    private final long minFsyncNanos;
    private final long maxFsyncNanos;
    private final boolean ackBeforeFsync;
    private final List<Waiter> waiting = new ArrayList<>();
    private long durable;
    private boolean fsyncRunning;
    private long fsyncs;

    SimGroupCommitter(
            Scheduler scheduler,
            InMemoryStorageEngine storage,
            SplittableRandom random,
            long minFsyncNanos,
            long maxFsyncNanos,
            boolean ackBeforeFsync) {
        this.scheduler = scheduler;
        this.storage = storage;
        this.random = random;
        this.minFsyncNanos = minFsyncNanos;
        this.maxFsyncNanos = maxFsyncNanos;
        this.ackBeforeFsync = ackBeforeFsync;
        // A (re)started process: whatever storage holds now survived the crash, so it is durable.
        storage.sync();
        this.durable = storage.lastSequence();
        if (ackBeforeFsync) {
            schedulePeriodicFsync();
        }
    }

    @Override
    public void whenDurable(long sequence, Runnable onDurable, Consumer<RuntimeException> onFailed) {
        // The simulated disk loses unsynced writes in a crash but never fills: onFailed is not called.
        if (ackBeforeFsync || sequence <= durable) {
            onDurable.run();
            return;
        }
        waiting.add(new Waiter(sequence, onDurable));
        if (!fsyncRunning) {
            startFsync();
        }
    }

    private void startFsync() {
        fsyncRunning = true;
        long batchEnd = storage.lastSequence();
        long delay = minFsyncNanos + random.nextLong(maxFsyncNanos - minFsyncNanos + 1);
        scheduler.schedule(delay, () -> fsyncDone(batchEnd));
    }

    long fsyncs() {
        return fsyncs;
    }

    private void fsyncDone(long batchEnd) {
        storage.sync();
        fsyncs++;
        durable = Math.max(durable, batchEnd);
        fsyncRunning = false;
        List<Waiter> ready = new ArrayList<>();
        waiting.removeIf(w -> {
            if (w.sequence() <= durable) {
                ready.add(w);
                return true;
            }
            return false;
        });
        if (!waiting.isEmpty()) {
            startFsync(); // writes that arrived during this fsync: the next one covers them
        }
        for (Waiter w : ready) {
            w.onDurable().run();
        }
    }

    private void schedulePeriodicFsync() {
        scheduler.schedule(PERIODIC_FSYNC_NANOS, () -> {
            storage.sync();
            fsyncs++;
            schedulePeriodicFsync();
        });
    }
}
