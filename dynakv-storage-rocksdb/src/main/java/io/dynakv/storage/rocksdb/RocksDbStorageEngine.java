package io.dynakv.storage.rocksdb;

import io.dynakv.common.CorruptRecordException;
import io.dynakv.common.NodeId;
import io.dynakv.common.Versioned;
import io.dynakv.common.codec.ByteWriter;
import io.dynakv.storage.Hint;
import io.dynakv.storage.PartitionRecord;
import io.dynakv.storage.StorageEngine;
import io.dynakv.storage.StorageFullException;
import io.dynakv.storage.StorageKeys;
import io.dynakv.storage.StorageStats;
import io.dynakv.storage.StoredRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.FlushOptions;
import org.rocksdb.LogFile;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link StorageEngine}: one RocksDB database per node, with column families
 * {@code data} (records, keyed by {@link StorageKeys}), {@code hints} (hinted handoff, used by the
 * cluster) and {@code meta} (node id, cluster state). {@code default} exists only because RocksDB
 * requires it.
 *
 * <p>Durability: writes are accepted into {@link PendingWrites}, visible to reads at once, and
 * {@link #sync()} writes them to RocksDB in one batch with one fsync of the log: that is the group
 * commit of DESIGN section 2, and it keeps every write to the log on the committer's thread. See
 * {@link RocksDbTuning} for the memory budget.
 *
 * <p>Lifecycle: every call holds a read lock that {@link #close()} takes exclusively, so a call that
 * races a shutdown gets an {@link IllegalStateException} instead of touching freed native memory
 * (which would crash the JVM).
 */
public final class RocksDbStorageEngine implements StorageEngine {

    static final String DATA_CF = "data";
    static final String HINTS_CF = "hints";
    static final String META_CF = "meta";

    private static final Logger log = LoggerFactory.getLogger(RocksDbStorageEngine.class);
    private static final AtomicBoolean mallocChecked = new AtomicBoolean();

    static {
        RocksDB.loadLibrary();
    }

    /**
     * Sizing of one engine. See {@link RocksDbTuning} for how each is used.
     *
     * @param blockCacheBytes LRU cache of uncompressed blocks, index and filter blocks included
     * @param writeBufferBytes size of one memtable of the data column family
     * @param maxWriteBufferNumber memtables per column family (the active one plus those flushing)
     * @param bloomBitsPerKey bloom filter bits per key: 10 gives about 1% false positives
     * @param maxBackgroundJobs threads for flushes and compactions
     * @param compressLowerLevels LZ4 below level 0 (false only for a RocksDB build without LZ4)
     */
    public record Options(
            long blockCacheBytes,
            long writeBufferBytes,
            int maxWriteBufferNumber,
            int bloomBitsPerKey,
            int maxBackgroundJobs,
            boolean compressLowerLevels) {

        private static final long MIB = 1024 * 1024;

        public Options {
            if (blockCacheBytes < MIB) {
                throw new IllegalArgumentException("blockCacheBytes must be at least 1 MiB: " + blockCacheBytes);
            }
            if (writeBufferBytes < MIB) {
                throw new IllegalArgumentException("writeBufferBytes must be at least 1 MiB: " + writeBufferBytes);
            }
            if (maxWriteBufferNumber < 2) {
                throw new IllegalArgumentException("maxWriteBufferNumber must be at least 2: " + maxWriteBufferNumber);
            }
            if (bloomBitsPerKey < 1 || maxBackgroundJobs < 1) {
                throw new IllegalArgumentException("bloomBitsPerKey and maxBackgroundJobs must be positive");
            }
        }

        /**
         * 64 MiB cache and 2 x 32 MiB memtables, about 130 MiB native. Measured: 1M keys of 100-byte
         * values, written then read at random from 2 threads, ran in about 310 MiB resident with
         * {@code -Xmx256m} and {@code MALLOC_ARENA_MAX=2}.
         */
        public static Options defaults() {
            return new Options(64 * MIB, 32 * MIB, 2, 10, 2, true);
        }
    }

    private final Path dir;
    private final RocksDbTuning tuning;

    // Replaced when the database is reopened after a full disk (see FullDisk), under the
    // lifecycle's write lock; every other access holds its read lock, which orders the two.
    private RocksDB db;
    private List<ColumnFamilyHandle> handles;
    private ColumnFamilyHandle dataCf;
    private ColumnFamilyHandle hintsCf;
    private ColumnFamilyHandle metaCf;

    /** Refuses writes while the disk is full and reopens the database once space returns. */
    private final FullDisk fullDisk;

    /** Reads that found a record failing its checksum; such a record is never returned. */
    private final AtomicLong corruptRecords = new AtomicLong();

    /** Hint ids, seeded past the largest stored so ids keep rising across restarts. */
    private final AtomicLong hintIds;

    /** Hints per target, counted at open and kept up to date: an estimate (a hint removed twice counts twice). */
    private final ConcurrentHashMap<NodeId, AtomicLong> hintsPerTarget = new ConcurrentHashMap<>();

    /**
     * Writes not yet in RocksDB, numbered one by one. Numbering starts from RocksDB's persisted
     * sequence so numbers keep rising across restarts.
     */
    private final PendingWrites pending;

    /** Serializes the two writers of the log: {@link #sync()} and {@link #flush()}. */
    private final ReentrantLock writer = new ReentrantLock();

    private long durableSequence; // guarded by writer
    private long flushedSequence; // guarded by writer

    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed; // written under lifecycle's write lock, read under its read lock

    private RocksDbStorageEngine(
            Path dir,
            RocksDbTuning tuning,
            RocksDB db,
            List<ColumnFamilyHandle> handles,
            PendingWrites.Limits backlog) {
        this.dir = dir;
        this.tuning = tuning;
        this.fullDisk = new FullDisk(dir);
        use(db, handles);
        this.hintIds = new AtomicLong(countHints(db, hintsCf, hintsPerTarget));
        this.pending = new PendingWrites(db.getLatestSequenceNumber(), backlog);
        this.durableSequence = pending.lastSequence();
        this.flushedSequence = durableSequence;
    }

    /**
     * Opens (creating if needed) the database in {@code dir}. Throws {@link StorageOpenException}
     * with an operator's message when the directory is locked, corrupted or unusable.
     */
    public static RocksDbStorageEngine open(Path dir, Options options) {
        return open(dir, options, PendingWrites.Limits.DEFAULT);
    }

    /** As {@link #open(Path, Options)}, with the bound of writes waiting for the disk. */
    static RocksDbStorageEngine open(Path dir, Options options, PendingWrites.Limits backlog) {
        Path absolute = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(absolute);
        } catch (IOException e) {
            throw new StorageOpenException(
                    StorageOpenException.Reason.IO_ERROR, "cannot create the data directory " + absolute + ": " + e, e);
        }
        warnOnceAboutMallocArenas();
        RocksDbTuning tuning = new RocksDbTuning(options);
        List<ColumnFamilyHandle> handles = new ArrayList<>(4);
        RocksDB db = null;
        try {
            db = openDatabase(absolute, tuning, handles);
            verifyChecksums(absolute, db);
        } catch (RocksDBException e) {
            handles.forEach(ColumnFamilyHandle::close);
            if (db != null) {
                db.close();
            }
            tuning.close();
            throw StorageOpenException.from(absolute, e);
        }
        log.info("storage opened dir={} sequence={}", absolute, db.getLatestSequenceNumber());
        return new RocksDbStorageEngine(absolute, tuning, db, handles, backlog);
    }

    /** Opens the database with its four column families; their handles are added to {@code handles}. */
    private static RocksDB openDatabase(Path dir, RocksDbTuning tuning, List<ColumnFamilyHandle> handles)
            throws RocksDBException {
        // The order fixes the handles' indexes used by use().
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, tuning.smallOptions),
                new ColumnFamilyDescriptor(DATA_CF.getBytes(StandardCharsets.UTF_8), tuning.dataOptions),
                new ColumnFamilyDescriptor(HINTS_CF.getBytes(StandardCharsets.UTF_8), tuning.smallOptions),
                new ColumnFamilyDescriptor(META_CF.getBytes(StandardCharsets.UTF_8), tuning.smallOptions));
        return RocksDB.open(tuning.dbOptions, dir.toString(), descriptors, handles);
    }

    /**
     * Reads every table file once and checks its block checksums, so a damaged file stops the
     * node at start, naming the file, rather than failing reads one key at a time later (opening
     * with paranoid checks only reads the files' footers and metadata). It costs one sequential
     * read of the data at each start, logged here.
     */
    private static void verifyChecksums(Path dir, RocksDB db) throws RocksDBException {
        long started = System.nanoTime();
        db.verifyChecksum();
        log.info("checksums verified dir={} in {} ms", dir, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** Takes a freshly opened database into use. */
    private void use(RocksDB opened, List<ColumnFamilyHandle> openedHandles) {
        this.db = opened;
        this.handles = openedHandles;
        this.dataCf = openedHandles.get(1);
        this.hintsCf = openedHandles.get(2);
        this.metaCf = openedHandles.get(3);
    }

    @Override
    public Optional<Versioned> get(int partition, String table, byte[] key) {
        byte[] recordKey = StorageKeys.recordKey(partition, table, key);
        PendingWrites.Write waiting = pending.latest(PendingWrites.Family.DATA, recordKey);
        if (waiting != null) {
            return waiting.encoded() == null ? Optional.empty() : Optional.of(decode(waiting.encoded()));
        }
        byte[] stored;
        Lock lock = enter();
        try {
            stored = db.get(dataCf, tuning.readOptions, recordKey);
        } catch (RocksDBException e) {
            throw failure("get", e);
        } finally {
            lock.unlock();
        }
        // Outside the lock: a corrupt record throws CorruptRecordException, never returns data.
        return stored == null ? Optional.empty() : Optional.of(decode(stored));
    }

    /**
     * The sequence of the key's write still in {@link PendingWrites}, which a killed process loses.
     * A write {@link #flush()} handed to RocksDB without an fsync is not reported: it survives a
     * killed process (the OS holds the log), and only {@code --fsync=periodic} and scans flush so.
     */
    @Override
    public long unsyncedSequence(int partition, String table, byte[] key) {
        PendingWrites.Write waiting =
                pending.latest(PendingWrites.Family.DATA, StorageKeys.recordKey(partition, table, key));
        return waiting == null ? 0 : waiting.sequence();
    }

    @Override
    public long put(int partition, String table, byte[] key, Versioned value) {
        byte[] recordKey = StorageKeys.recordKey(partition, table, key);
        byte[] encoded = value.encode();
        Lock lock = enterToWrite();
        try {
            return pending.add(PendingWrites.Family.DATA, recordKey, encoded);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long remove(int partition, String table, byte[] key) {
        byte[] recordKey = StorageKeys.recordKey(partition, table, key);
        Lock lock = enterToWrite();
        try {
            return pending.add(PendingWrites.Family.DATA, recordKey, null);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<StoredRecord> scan(int partition, String table, byte[] prefix, byte[] afterKey, int limit) {
        int tablePrefixLength = StorageKeys.tablePrefix(partition, table).length;
        byte[] range = StorageKeys.scanStart(partition, table, prefix, null);
        byte[] start = StorageKeys.scanStart(partition, table, prefix, afterKey);
        if (limit > 0) {
            flushForRead(); // scans read RocksDB only, so pending writes go there first (without an fsync)
        }
        return iterate(
                "scan",
                () -> dataCf,
                start,
                range,
                limit,
                (recordKey, value) ->
                        new StoredRecord(StorageKeys.userKey(recordKey, tablePrefixLength), decode(value)));
    }

    /** Reads RocksDB only, without flushing pending writes: no disk write on the caller's loop. */
    @Override
    public List<PartitionRecord> scanPartition(int partition, String afterTable, byte[] afterKey, int limit) {
        byte[] start = StorageKeys.partitionScanStart(partition, afterTable, afterKey);
        return iterate(
                "scanPartition",
                () -> dataCf,
                start,
                StorageKeys.partitionPrefix(partition),
                limit,
                (recordKey, value) -> StorageKeys.partitionRecord(recordKey, decode(value)));
    }

    /** Up to {@code limit} records from {@code start} while their address begins with {@code range}. */
    private <T> List<T> iterate(
            String operation,
            Supplier<ColumnFamilyHandle> cf,
            byte[] start,
            byte[] range,
            int limit,
            BiFunction<byte[], byte[], T> record) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        List<T> out = new ArrayList<>(Math.min(limit, 64));
        if (limit == 0) {
            return out;
        }
        Lock lock = enter();
        // The handle is read under the lock: a reopen after a full disk closes the old handles,
        // and an iterator on a closed one crashed the JVM (SIGSEGV in DBImpl::FailIfCfHasTs, seen
        // in DiskFaultIT when the tombstone reaper scanned while the disk came back).
        try (RocksIterator it = db.newIterator(cf.get(), tuning.readOptions)) {
            for (it.seek(start); it.isValid() && out.size() < limit; it.next()) {
                byte[] recordKey = it.key();
                if (!StorageKeys.startsWith(recordKey, range)) {
                    break;
                }
                out.add(record.apply(recordKey, it.value()));
            }
            it.status();
            return out;
        } catch (RocksDBException e) {
            throw failure(operation, e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long putHint(Hint hint) {
        Lock lock = enterToWrite();
        long id = hintIds.incrementAndGet();
        try {
            pending.add(PendingWrites.Family.HINTS, Hint.storageKey(hint.target(), id), hint.encodeBody());
            hintsPerTarget.computeIfAbsent(hint.target(), t -> new AtomicLong()).incrementAndGet();
            return id;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<Hint> hints(NodeId target, long afterId, int limit) {
        flushForRead(); // hints are read from RocksDB only, so pending ones go there first
        byte[] range = new ByteWriter(8).writeLong(target.value()).toByteArray();
        return iterate(
                "hints",
                () -> hintsCf,
                Hint.storageKey(target, afterId + 1),
                range,
                limit,
                (storageKey, body) -> Hint.decodeBody(Hint.idOf(storageKey), target, body));
    }

    /** Seeks from one target's range to the next, so it reads one hint per target. */
    @Override
    public List<NodeId> hintTargets() {
        flushForRead(); // a target whose last hints were just removed is then gone
        List<NodeId> targets = new ArrayList<>();
        Lock lock = enter();
        try (RocksIterator it = db.newIterator(hintsCf, tuning.readOptions)) {
            for (it.seekToFirst(); it.isValid(); ) {
                NodeId target = Hint.targetOf(it.key());
                targets.add(target);
                if (target.value() == -1L) {
                    break; // the last target there can be
                }
                it.seek(Hint.storageKey(new NodeId(target.value() + 1), 0));
            }
            it.status();
            return targets;
        } catch (RocksDBException e) {
            throw failure("hintTargets", e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long hintCount(NodeId target) {
        AtomicLong count = hintsPerTarget.get(target);
        return count == null ? 0 : count.get();
    }

    @Override
    public void removeHint(NodeId target, long id) {
        Lock lock = enterToWrite();
        try {
            pending.add(PendingWrites.Family.HINTS, Hint.storageKey(target, id), null);
        } finally {
            lock.unlock();
        }
        AtomicLong count = hintsPerTarget.get(target);
        if (count != null) {
            count.updateAndGet(n -> Math.max(0, n - 1));
        }
    }

    @Override
    public long hintCount() {
        Lock lock = enter();
        try {
            return db.getLongProperty(hintsCf, "rocksdb.estimate-num-keys")
                    + pending.keyCount(PendingWrites.Family.HINTS);
        } catch (RocksDBException e) {
            throw failure("hintCount", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes every pending write to RocksDB in one batch with an fsync of the log (or fsyncs what
     * {@link #flush()} wrote without one), and returns the highest sequence now durable. Batch and
     * numbering share one order, so every number up to the returned one is on disk.
     */
    @Override
    public long sync() {
        if (fullDisk.isFull()) {
            reopenIfRoom();
        }
        Lock lock = enter();
        writer.lock();
        try {
            List<PendingWrites.Write> batch = pending.drain();
            boolean unsyncedFlushes = flushedSequence > durableSequence;
            long last = write(batch, !unsyncedFlushes);
            if (unsyncedFlushes) {
                db.syncWal();
            }
            durableSequence = Math.max(Math.max(durableSequence, flushedSequence), last);
            flushedSequence = durableSequence;
            return durableSequence;
        } catch (RocksDBException e) {
            throw failure("sync", e);
        } finally {
            writer.unlock();
            lock.unlock();
        }
    }

    /**
     * Writes every pending write to RocksDB without an fsync: they then survive a killed process
     * (the OS holds the log) but not a machine crash. Returns the highest sequence written.
     */
    @Override
    public long flush() {
        if (fullDisk.isFull()) {
            throw fullDisk.error(); // only sync() recovers: the committer calls it every second
        }
        Lock lock = enter();
        writer.lock();
        try {
            long last = write(pending.drain(), false);
            flushedSequence = Math.max(flushedSequence, last);
            return flushedSequence;
        } catch (RocksDBException e) {
            throw failure("flush", e);
        } finally {
            writer.unlock();
            lock.unlock();
        }
    }

    /** Writes a batch in one RocksDB write; on failure it goes back in front of the queue. */
    private long write(List<PendingWrites.Write> batch, boolean fsync) throws RocksDBException {
        if (batch.isEmpty()) {
            return 0;
        }
        try (WriteBatch writes = new WriteBatch()) {
            for (PendingWrites.Write w : batch) {
                ColumnFamilyHandle cf = w.family() == PendingWrites.Family.DATA ? dataCf : hintsCf;
                if (w.encoded() == null) {
                    writes.delete(cf, w.recordKey());
                } else {
                    writes.put(cf, w.recordKey(), w.encoded());
                }
            }
            db.write(fsync ? tuning.syncWriteOptions : tuning.writeOptions, writes);
        } catch (RocksDBException | RuntimeException e) {
            pending.requeue(batch);
            throw e;
        }
        pending.written(batch);
        return batch.get(batch.size() - 1).sequence();
    }

    @Override
    public long lastSequence() {
        return pending.lastSequence();
    }

    @Override
    public void putMeta(String name, byte[] value) {
        Lock lock = enter();
        try {
            db.put(metaCf, tuning.syncWriteOptions, name.getBytes(StandardCharsets.UTF_8), value);
        } catch (RocksDBException e) {
            throw failure("putMeta", e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void putMetas(Map<String, byte[]> values) {
        Lock lock = enter();
        try (WriteBatch batch = new WriteBatch()) {
            for (Map.Entry<String, byte[]> e : values.entrySet()) {
                batch.put(metaCf, e.getKey().getBytes(StandardCharsets.UTF_8), e.getValue());
            }
            db.write(tuning.syncWriteOptions, batch);
        } catch (RocksDBException e) {
            throw failure("putMetas", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Pending writes go to RocksDB first, then one synced range deletion covers them and all
     * before. Under the writer lock, so no group commit interleaves: a write accepted during the
     * call stays pending and reaches RocksDB after the deletion (a higher sequence number), kept.
     */
    @Override
    public void dropPartition(int partition) {
        byte[] start = StorageKeys.partitionPrefix(partition);
        byte[] end = partition == StorageKeys.MAX_PARTITION
                ? new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF}
                : StorageKeys.partitionPrefix(partition + 1);
        Lock lock = enterToWrite();
        writer.lock();
        try {
            long written = write(pending.drain(), false);
            flushedSequence = Math.max(flushedSequence, written);
            db.deleteRange(dataCf, tuning.syncWriteOptions, start, end);
        } catch (RocksDBException e) {
            throw failure("dropPartition", e);
        } finally {
            writer.unlock();
            lock.unlock();
        }
    }

    @Override
    public Optional<byte[]> getMeta(String name) {
        Lock lock = enter();
        try {
            return Optional.ofNullable(db.get(metaCf, tuning.readOptions, name.getBytes(StandardCharsets.UTF_8)));
        } catch (RocksDBException e) {
            throw failure("getMeta", e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public StorageStats stats() {
        Lock lock = enter();
        try {
            long keys = db.getLongProperty(dataCf, "rocksdb.estimate-num-keys")
                    + pending.keyCount(PendingWrites.Family.DATA);
            long diskBytes = 0;
            long memoryBytes = tuning.blockCache.getUsage();
            for (ColumnFamilyHandle cf : handles) {
                diskBytes += db.getLongProperty(cf, "rocksdb.total-sst-files-size");
                memoryBytes += db.getLongProperty(cf, "rocksdb.cur-size-all-mem-tables");
            }
            diskBytes += logBytes();
            return new StorageStats(keys, diskBytes, memoryBytes, fullDisk.isFull(), corruptRecords.get());
        } catch (RocksDBException e) {
            throw failure("stats", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Fsyncs the log, then frees native objects in the order RocksDB JNI requires: column family
     * handles, then the database, then the options and cache it used. Idempotent.
     */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            RuntimeException failure = null;
            if (db != null) {
                try {
                    write(pending.drain(), true);
                    db.syncWal();
                } catch (RocksDBException e) {
                    failure = failure("close", e);
                }
            }
            closed = true;
            try {
                closeDatabase();
            } catch (RocksDBException e) {
                failure = failure == null ? failure("close", e) : failure;
            }
            tuning.close();
            log.info("storage closed dir={} sequence={}", dir, pending.lastSequence());
            if (failure != null) {
                throw failure;
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /**
     * Counts the stored hints of each target into {@code perTarget} and returns the largest hint
     * id: hint keys end in the id, but targets differ, so look at all.
     */
    private static long countHints(RocksDB db, ColumnFamilyHandle hintsCf, Map<NodeId, AtomicLong> perTarget) {
        long largest = 0;
        try (RocksIterator it = db.newIterator(hintsCf)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                largest = Math.max(largest, Hint.idOf(it.key()));
                perTarget
                        .computeIfAbsent(Hint.targetOf(it.key()), t -> new AtomicLong())
                        .incrementAndGet();
            }
        }
        return largest;
    }

    /** Writes every memtable to table files, so tests read through SSTs, filters and the cache. */
    void flushMemTables() {
        Lock lock = enter();
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.flush(flush, handles);
        } catch (RocksDBException e) {
            throw failure("flush", e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "RocksDbStorageEngine{" + dir + "}";
    }

    /**
     * RocksDB allocates through the C library's malloc (rocksdbjni does not bundle jemalloc).
     * glibc gives each thread that allocates its own arena, up to 8 per core, and block-cache
     * churn leaves them fragmented: measured here, 1M keys read at random grew a node from 300 MiB
     * to 800 MiB resident while the cache stayed at 64 MiB; with {@code MALLOC_ARENA_MAX=2} it
     * stayed at 300 MiB. Only the environment that starts the JVM can set it, so say so.
     */
    private static void warnOnceAboutMallocArenas() {
        boolean linux =
                System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
        if (linux
                && System.getenv("MALLOC_ARENA_MAX") == null
                && System.getenv("LD_PRELOAD") == null
                && mallocChecked.compareAndSet(false, true)) {
            log.warn("MALLOC_ARENA_MAX is not set: glibc malloc fragmentation can grow RocksDB's resident memory far"
                    + " past its block cache and write buffers; start the node with MALLOC_ARENA_MAX=2");
        }
    }

    private Lock enter() {
        Lock lock = lifecycle.readLock();
        lock.lock();
        if (closed) {
            lock.unlock();
            throw new IllegalStateException("storage at " + dir + " is closed");
        }
        if (db == null) {
            // A reopen after a full disk failed; the next sync tries again within a second. Still
            // the full-disk state, so callers answer as they do for a full disk, not as for a bug.
            lock.unlock();
            throw fullDisk.error();
        }
        return lock;
    }

    /** As {@link #enter()}, for a new write: refused at once while the disk is full. */
    private Lock enterToWrite() {
        if (fullDisk.isFull()) {
            throw fullDisk.error();
        }
        return enter();
    }

    /**
     * Makes pending writes visible to RocksDB's iterators. While the disk is full they cannot be
     * written, and the reader sees what RocksDB holds: every acknowledged write is there.
     */
    private void flushForRead() {
        try {
            flush();
        } catch (StorageFullException e) {
            // reads go on with what is stored
        }
    }

    /**
     * RocksDB latches a failed write to its log: once the disk filled, every later write fails
     * even after space returns. RocksJava has no {@code DB::Resume}, and neither it nor RocksDB's
     * own recovery clears the log writer's error (facebook/rocksdb#11643, #12998); measured on a
     * tmpfs grown after filling, writes still failed 20 s later. Reopening clears it and replays
     * the log up to its last whole record. So once the disk has room for that replay, close and
     * reopen in place, holding the lifecycle lock so no call touches the database while it is
     * swapped. The writes that failed are still pending and the sync that follows writes them.
     */
    private void reopenIfRoom() {
        if (!fullDisk.hasRoomToReopen(currentLogBytes())) {
            throw fullDisk.error();
        }
        lifecycle.writeLock().lock();
        try {
            if (closed || !fullDisk.isFull()) {
                return; // enter() reports a closed engine; another sync already reopened it
            }
            List<ColumnFamilyHandle> reopened = new ArrayList<>(4);
            try {
                closeDatabase();
                use(openDatabase(dir, tuning, reopened), reopened);
            } catch (RocksDBException e) {
                reopened.forEach(ColumnFamilyHandle::close);
                db = null; // enter() refuses calls until a later attempt opens it
                log.warn(
                        "reopening dir={} after its disk filled failed, retrying within a second: {}",
                        dir,
                        e.getMessage());
                throw failure("reopen after a full disk", e);
            }
            fullDisk.emptied();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /** Frees the column family handles, then the database (RocksDB JNI's order); none after a failed reopen. */
    private void closeDatabase() throws RocksDBException {
        if (db == null) {
            return;
        }
        handles.forEach(ColumnFamilyHandle::close);
        RocksDB closing = db;
        db = null;
        closing.closeE();
    }

    /** Bytes of write-ahead log; the caller holds the lifecycle lock and the database is open. */
    private long logBytes() throws RocksDBException {
        long bytes = 0;
        for (LogFile wal : db.getSortedWalFiles()) {
            bytes += wal.sizeFileBytes();
        }
        return bytes;
    }

    /** As {@link #logBytes()}, taking the lock; 0 when there is no database to ask. */
    private long currentLogBytes() {
        Lock lock = lifecycle.readLock();
        lock.lock();
        try {
            return closed || db == null ? 0 : logBytes();
        } catch (RocksDBException e) {
            return 0;
        } finally {
            lock.unlock();
        }
    }

    /** Decodes a stored record; one failing its checksum is counted and never returned. */
    private Versioned decode(byte[] stored) {
        try {
            return Versioned.decode(stored);
        } catch (CorruptRecordException e) {
            throw counted(e);
        }
    }

    /** Counts and logs damage found by a read; the read then fails rather than return wrong data. */
    private CorruptRecordException counted(CorruptRecordException e) {
        corruptRecords.incrementAndGet();
        log.error(
                "corrupt data dir={}: {}; it is not served (restore the node's data from a replica)",
                dir,
                e.getMessage());
        return e;
    }

    /**
     * RocksDB's block checksums catch damage below our record checksum: report it the same way,
     * as a corrupt record, and count it. A full disk is its own failure (writes resume once space
     * returns). Anything else is an I/O failure the node cannot work around.
     */
    private RuntimeException failure(String operation, RocksDBException e) {
        Status status = e.getStatus();
        String message = operation + " failed in " + dir + ": " + e.getMessage();
        if (FullDisk.isNoSpace(e)) {
            return fullDisk.filled(e);
        }
        if (status != null && status.getCode() == Status.Code.Corruption) {
            return counted(new CorruptRecordException(message));
        }
        return new UncheckedIOException(new IOException(message, e));
    }
}
