package io.dynakv.node;

import io.dynakv.storage.StorageEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes writes durable with as few fsyncs as possible. Writes are visible once storage returns;
 * their acknowledgements wait here. One thread takes every waiter that arrived during the previous
 * fsync, runs one fsync for all of them, and releases them: under load each fsync covers many writes
 * (group commit), and an idle node fsyncs at once, so a lone write pays one fsync of latency.
 *
 * <p>With {@link FsyncMode#periodic} acknowledgements are released at once; the thread hands each
 * write to the OS as soon as it can (so a killed process loses at most the batch being written) and
 * fsyncs on the interval (so a machine crash loses up to one interval), which is that mode's trade.
 *
 * <p>A failed write or fsync (a full disk) fails every write of its batch at once, so clients hear
 * 507 or 503 rather than wait for a timeout; storage keeps those writes and retries them. From then
 * on the thread calls {@code sync()} every {@link #RETRY_PAUSE_MILLIS} even with nobody waiting,
 * since that is how storage finds that space returned (see RocksDbStorageEngine.reopenIfRoom).
 */
final class GroupCommitter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

    /** Pause before retrying a failed fsync, so a broken or full disk does not spin a core. */
    private static final long RETRY_PAUSE_MILLIS = 1000;

    /** An fsync this slow is worth a warning: it is every waiting write's latency. */
    private static final long SLOW_FSYNC_MILLIS = 50;

    private final StorageEngine storage;
    private final FsyncMode mode;
    private final Duration interval;
    private final Thread thread;
    private final Object lock = new Object();
    private List<Waiter> waiting = new ArrayList<>();
    private volatile long durableSequence;
    private volatile boolean running = true;
    private boolean dirty; // guarded by lock: periodic mode has writes to hand to the OS
    private long fsyncs;
    private long released;

    private record Waiter(long sequence, Runnable onDurable, Consumer<RuntimeException> onFailed) {}

    GroupCommitter(StorageEngine storage, FsyncMode mode, Duration interval) {
        this.storage = storage;
        this.mode = mode;
        this.interval = interval;
        this.thread = new Thread(this::run, "dynakv-group-commit");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Runs {@code onDurable} (on this committer's thread, or the caller's) once {@code sequence} is
     * durable, or {@code onFailed} if writing it failed.
     */
    void whenDurable(long sequence, Runnable onDurable, Consumer<RuntimeException> onFailed) {
        if (mode == FsyncMode.periodic) {
            onDurable.run();
            synchronized (lock) {
                dirty = true;
                lock.notifyAll();
            }
            return;
        }
        if (sequence <= durableSequence) {
            onDurable.run();
            return;
        }
        synchronized (lock) {
            waiting.add(new Waiter(sequence, onDurable, onFailed));
            lock.notifyAll();
        }
    }

    /** Writes per fsync so far, for /stats: how well group commit is batching. */
    double writesPerFsync() {
        synchronized (lock) {
            return fsyncs == 0 ? 0 : (double) released / fsyncs;
        }
    }

    private void run() {
        if (mode == FsyncMode.periodic) {
            runPeriodic();
            return;
        }
        boolean failing = false;
        while (running) {
            List<Waiter> batch = nextBatch(failing);
            if (batch == null) {
                continue;
            }
            long durable;
            long started = System.nanoTime();
            try {
                durable = storage.sync();
                warnIfSlow(started, batch.size());
            } catch (RuntimeException e) {
                if (!failing) {
                    log.error(
                            "writing the write-ahead log failed; its writes fail unacknowledged and the"
                                    + " write is retried every {} ms: {}",
                            RETRY_PAUSE_MILLIS,
                            e.getMessage());
                }
                failing = true;
                batch.forEach(w -> w.onFailed.accept(e));
                pause(RETRY_PAUSE_MILLIS);
                continue;
            }
            if (failing) {
                log.info("writing the write-ahead log works again");
                failing = false;
            }
            durableSequence = durable;
            List<Waiter> notYet = new ArrayList<>();
            for (Waiter w : batch) {
                if (w.sequence <= durable) {
                    w.onDurable.run();
                } else {
                    notYet.add(w); // its write returned after this fsync began: next round
                }
            }
            synchronized (lock) {
                fsyncs++;
                released += batch.size() - notYet.size();
            }
            requeue(notYet);
        }
    }

    /** Flushes writes as they come, fsyncs every interval. */
    private void runPeriodic() {
        long intervalNanos = interval.toNanos();
        long nextSync = System.nanoTime() + intervalNanos;
        while (running) {
            long now = System.nanoTime();
            boolean flush;
            synchronized (lock) {
                if (!dirty && now < nextSync) {
                    waitOn(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextSync - now)));
                }
                flush = dirty;
                dirty = false;
            }
            try {
                if (System.nanoTime() >= nextSync) {
                    durableSequence = storage.sync();
                    nextSync = System.nanoTime() + intervalNanos;
                } else if (flush) {
                    storage.flush();
                }
            } catch (RuntimeException e) {
                log.error("writing the write-ahead log failed; retrying: {}", e.getMessage());
                nextSync = System.nanoTime(); // the retry is a sync: that is how storage recovers
                pause(RETRY_PAUSE_MILLIS);
            }
        }
    }

    /** A slow disk shows up as slow writes; say where the time went. */
    private static void warnIfSlow(long startedNanos, int writes) {
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        if (millis >= SLOW_FSYNC_MILLIS) {
            log.warn("slow fsync: {} ms for {} writes; write latency follows the disk's flush time", millis, writes);
        }
    }

    /**
     * The waiters to release next; null after a shutdown wake-up. While {@code failing}, an empty
     * batch after at most a retry pause, so storage is asked again though nobody waits.
     */
    private List<Waiter> nextBatch(boolean failing) {
        synchronized (lock) {
            if (failing) {
                if (waiting.isEmpty() && running) {
                    waitOn(RETRY_PAUSE_MILLIS);
                }
            } else {
                while (waiting.isEmpty() && running) {
                    waitOn(0);
                }
            }
            if (!running && waiting.isEmpty()) {
                return null;
            }
            List<Waiter> batch = waiting;
            waiting = new ArrayList<>();
            return batch;
        }
    }

    private void requeue(List<Waiter> waiters) {
        if (!waiters.isEmpty()) {
            synchronized (lock) {
                waiting.addAll(waiters);
            }
        }
    }

    private void waitOn(long millis) {
        try {
            lock.wait(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private static void pause(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the thread after a final fsync, releasing everyone still waiting. */
    @Override
    public void close() {
        running = false;
        synchronized (lock) {
            lock.notifyAll();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Waiter> rest;
        synchronized (lock) {
            rest = waiting;
            waiting = new ArrayList<>();
        }
        try {
            durableSequence = storage.sync();
        } catch (RuntimeException e) {
            log.error(
                    "the last fsync before stopping failed; {} writes stay unacknowledged: {}",
                    rest.size(),
                    e.getMessage());
            rest.forEach(w -> w.onFailed.accept(e));
            return;
        }
        rest.forEach(w -> w.onDurable.run());
    }
}
