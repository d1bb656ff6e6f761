package io.dynakv.node;

import io.dynakv.storage.StorageEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 */
final class GroupCommitter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

    /** Pause before retrying a failed fsync, so a broken disk does not spin a core. */
    private static final long RETRY_PAUSE_MILLIS = 100;

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

    private record Waiter(long sequence, Runnable onDurable) {}

    GroupCommitter(StorageEngine storage, FsyncMode mode, Duration interval) {
        this.storage = storage;
        this.mode = mode;
        this.interval = interval;
        this.thread = new Thread(this::run, "dynakv-group-commit");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Runs {@code onDurable} (on this committer's thread, or the caller's) once {@code sequence} is durable. */
    void whenDurable(long sequence, Runnable onDurable) {
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
            waiting.add(new Waiter(sequence, onDurable));
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
        while (running) {
            List<Waiter> batch = nextBatch();
            if (batch == null) {
                continue;
            }
            long durable;
            long started = System.nanoTime();
            try {
                durable = storage.sync();
                warnIfSlow(started, batch.size());
            } catch (RuntimeException e) {
                log.error(
                        "fsync of the write-ahead log failed; writes wait unacknowledged and are retried: {}",
                        e.toString());
                requeue(batch);
                pause(RETRY_PAUSE_MILLIS);
                continue;
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
                log.error("writing the write-ahead log failed; retrying: {}", e.toString());
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

    /** The waiters to release next, or null after a shutdown wake-up. */
    private List<Waiter> nextBatch() {
        synchronized (lock) {
            while (waiting.isEmpty() && running) {
                waitOn(0);
            }
            if (waiting.isEmpty()) {
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
        long durable = storage.sync();
        durableSequence = durable;
        List<Waiter> rest;
        synchronized (lock) {
            rest = waiting;
            waiting = new ArrayList<>();
        }
        rest.forEach(w -> w.onDurable.run());
    }
}
