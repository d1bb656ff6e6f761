package io.dynakv.storage.rocksdb;

import io.dynakv.storage.StorageOverloadedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes accepted but not yet handed to RocksDB, in the order they were numbered. Reads look here
 * first, so a write is visible the moment it is accepted; the group committer then writes a whole
 * batch at once with one fsync.
 *
 * <p>Why not write to RocksDB at once: on ext4 an appending {@code write()} to the log waits behind
 * a concurrent {@code fdatasync} of that log (the journal commit), so event loops that wrote while
 * the committer synced stalled for whole fsyncs (measured: 2.6k PUT/s, p99 0.9 s). With this buffer
 * only the committer thread ever writes to the log.
 *
 * <p>Bounded: while the writes not yet in RocksDB hold more than {@link Limits#maxBytes} or number
 * {@link Limits#maxWrites}, new writes are refused ({@link StorageOverloadedException}, a 503 for
 * the client) until the committer catches up. A disk that stalls then costs availability, not an
 * {@code OutOfMemoryError}. Removing a hint is never refused: it is small and lets the backlog shrink.
 */
final class PendingWrites {

    /** The column families writes go to. */
    enum Family {
        DATA,
        HINTS
    }

    /**
     * One accepted write.
     *
     * @param encoded the record, or null for a removal
     */
    record Write(Family family, byte[] recordKey, byte[] encoded, long sequence) {}

    /**
     * The backlog allowed. By default 64 MiB, an eighth of the heap {@code bin/dynakv} gives the
     * JVM, and 200,000 writes, far more than one group commit gathers under load (see "writes per
     * fsync" in /stats): only a stalled or much too slow disk reaches it.
     */
    record Limits(long maxBytes, int maxWrites) {
        static final Limits DEFAULT = new Limits(64L << 20, 200_000);
    }

    /** Per-write bookkeeping beyond key and value: the write, its map entry and queue slot. */
    private static final int OVERHEAD_BYTES = 96;

    private final Limits limits;
    private final ConcurrentHashMap<RecordKey, Write> latest = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private List<Write> queue = new ArrayList<>(); // guarded by lock
    private long sequence; // guarded by lock
    private long backlogBytes; // guarded by lock: accepted and not yet written to RocksDB
    private int backlogWrites; // guarded by lock

    PendingWrites(long startSequence, Limits limits) {
        this.sequence = startSequence;
        this.limits = limits;
    }

    /**
     * Accepts a write (visible at once) and returns its sequence number; refuses it when the
     * backlog is over its bound.
     */
    long add(Family family, byte[] recordKey, byte[] encoded) {
        synchronized (lock) {
            boolean hintRemoval = family == Family.HINTS && encoded == null;
            if (!hintRemoval && (backlogBytes >= limits.maxBytes() || backlogWrites >= limits.maxWrites())) {
                throw new StorageOverloadedException("the disk is behind: " + backlogWrites + " writes ("
                        + (backlogBytes >> 20) + " MiB) wait to be written, the most this node buffers is "
                        + limits.maxWrites() + " (" + (limits.maxBytes() >> 20)
                        + " MiB); writes are refused until it catches up, retry shortly");
            }
            backlogBytes += sizeOf(recordKey, encoded);
            backlogWrites++;
            Write write = new Write(family, recordKey, encoded, ++sequence);
            latest.put(new RecordKey(family, recordKey), write);
            queue.add(write);
            return write.sequence;
        }
    }

    /** The newest pending write of a key, or null when nothing is pending for it. */
    Write latest(Family family, byte[] recordKey) {
        return latest.get(new RecordKey(family, recordKey));
    }

    /** Takes every pending write, oldest first, for the caller to write to RocksDB. */
    List<Write> drain() {
        synchronized (lock) {
            List<Write> batch = queue;
            queue = new ArrayList<>();
            return batch;
        }
    }

    /** Puts a batch that failed to write back in front, so it is retried in order. */
    void requeue(List<Write> batch) {
        synchronized (lock) {
            batch.addAll(queue);
            queue = batch;
        }
    }

    /** The batch is in RocksDB: reads may go there now (unless a newer write replaced a key). */
    void written(List<Write> batch) {
        long bytes = 0;
        for (Write write : batch) {
            latest.remove(new RecordKey(write.family, write.recordKey), write);
            bytes += sizeOf(write.recordKey, write.encoded);
        }
        synchronized (lock) {
            backlogBytes -= bytes;
            backlogWrites -= batch.size();
        }
    }

    private static long sizeOf(byte[] recordKey, byte[] encoded) {
        return OVERHEAD_BYTES + recordKey.length + (encoded == null ? 0 : encoded.length);
    }

    /** Keys of one family with a pending write: an estimate of records RocksDB has not counted. */
    long keyCount(Family family) {
        return latest.keySet().stream().filter(k -> k.family == family).count();
    }

    long lastSequence() {
        synchronized (lock) {
            return sequence;
        }
    }

    /** A family and key compared by content, as a map key. */
    private record RecordKey(Family family, byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof RecordKey k && family == k.family && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return 31 * family.hashCode() + Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return Arrays.toString(bytes);
        }
    }
}
