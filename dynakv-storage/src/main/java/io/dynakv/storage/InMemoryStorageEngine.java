package io.dynakv.storage;

import io.dynakv.common.NodeId;
import io.dynakv.common.Versioned;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link StorageEngine} held in memory, for tests and the deterministic simulator.
 *
 * <p><b>Fault model.</b> The engine models one machine's disk with a volatile write cache, as the
 * simulator's crashes need (DESIGN section 3, STYLE section 4.4):
 *
 * <ul>
 *   <li>A {@link #put} or {@link #remove} is visible to reads at once, as RocksDB's are (its
 *       write-ahead log reaches the OS page cache before the call returns).
 *   <li>{@link #sync()} is the fsync: every write that returned before it becomes durable.
 *   <li>{@link #crash()} is a power loss or kernel crash: every write since the last sync is
 *       undone, key by key, restoring the value (or absence) each key had at that sync. Nothing
 *       synced is ever lost, and nothing unsynced survives. This is the harshest loss the durability
 *       contract allows; a real disk may keep some unsynced writes, so code that is correct here is
 *       correct there. A killed <i>process</i> (kill -9) loses nothing on RocksDB, since the OS
 *       still holds the log; a test models that by not calling {@code crash()}.
 *   <li>{@link #putMeta} is durable when it returns and never undone. (On RocksDB its synced write
 *       also makes earlier data writes durable; this model does not, which only loses more.)
 *   <li>{@link #close()} is a clean shutdown: like RocksDB's it makes every write durable. The
 *       instance stays usable, so the simulator restarts a node by handing it the same engine.
 * </ul>
 *
 * <p>Not modeled: torn or reordered writes within the log, bit rot, and I/O errors. Records are
 * stored encoded ({@link Versioned#encode()}) and decoded on every read, so the checksum path runs
 * here too and a fault-injecting decorator can corrupt stored bytes.
 *
 * <p>Thread-safety: reads go straight to a {@link ConcurrentSkipListMap} ordered like RocksDB
 * ({@link StorageKeys}). Writes, {@code sync} and {@code crash} serialize on one lock so that the
 * undo log records, for each key, the value from before its first unsynced write; without the lock
 * two racing writers could record each other's values.
 */
public final class InMemoryStorageEngine implements StorageEngine {

    private final ConcurrentSkipListMap<byte[], byte[]> records = new ConcurrentSkipListMap<>(StorageKeys.ORDER);
    private final ConcurrentHashMap<String, byte[]> meta = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<byte[], byte[]> hints = new ConcurrentSkipListMap<>(StorageKeys.ORDER);
    private final AtomicLong hintIds = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private final Object writeLock = new Object();

    /** For each key written since the last sync, its encoded value at that sync; empty: absent. */
    private final TreeMap<byte[], Optional<byte[]>> undo = new TreeMap<>(StorageKeys.ORDER);

    /** For each key written since the last sync, the sequence of its newest write; read without the lock. */
    private final ConcurrentSkipListMap<byte[], Long> unsynced = new ConcurrentSkipListMap<>(StorageKeys.ORDER);

    /** The same as {@link #undo}, for hints (guarded by writeLock). */
    private final TreeMap<byte[], Optional<byte[]>> hintUndo = new TreeMap<>(StorageKeys.ORDER);

    /** Records and their key and value bytes, for {@link #stats()}. Guarded by writeLock. */
    private long recordCount;

    private long storedBytes;

    @Override
    public Optional<Versioned> get(int partition, String table, byte[] key) {
        byte[] stored = records.get(StorageKeys.recordKey(partition, table, key));
        return stored == null ? Optional.empty() : Optional.of(Versioned.decode(stored));
    }

    @Override
    public long unsyncedSequence(int partition, String table, byte[] key) {
        return unsynced.getOrDefault(StorageKeys.recordKey(partition, table, key), 0L);
    }

    @Override
    public long put(int partition, String table, byte[] key, Versioned value) {
        byte[] recordKey = StorageKeys.recordKey(partition, table, key);
        byte[] encoded = value.encode();
        synchronized (writeLock) {
            byte[] previous = records.put(recordKey, encoded);
            remember(recordKey, previous);
            account(recordKey, previous, encoded);
            return numbered(recordKey);
        }
    }

    @Override
    public long remove(int partition, String table, byte[] key) {
        byte[] recordKey = StorageKeys.recordKey(partition, table, key);
        synchronized (writeLock) {
            byte[] previous = records.remove(recordKey);
            remember(recordKey, previous);
            account(recordKey, previous, null);
            return numbered(recordKey);
        }
    }

    @Override
    public long putHint(Hint hint) {
        long id = hintIds.incrementAndGet();
        byte[] storageKey = Hint.storageKey(hint.target(), id);
        synchronized (writeLock) {
            byte[] previous = hints.put(storageKey, hint.encodeBody());
            hintUndo.putIfAbsent(storageKey, Optional.ofNullable(previous));
            sequence.incrementAndGet();
        }
        return id;
    }

    @Override
    public List<Hint> hints(NodeId target, long afterId, int limit) {
        List<Hint> out = new ArrayList<>(Math.min(limit, 64));
        byte[] start = Hint.storageKey(target, afterId + 1);
        byte[] end = Hint.storageKey(target, -1L); // ids are positive: -1 is the range's unsigned top
        for (Map.Entry<byte[], byte[]> e : hints.subMap(start, true, end, true).entrySet()) {
            if (out.size() >= limit) {
                break;
            }
            out.add(Hint.decodeBody(Hint.idOf(e.getKey()), target, e.getValue()));
        }
        return out;
    }

    @Override
    public List<NodeId> hintTargets() {
        List<NodeId> targets = new ArrayList<>();
        byte[] next = hints.isEmpty() ? null : hints.firstKey();
        while (next != null) {
            NodeId target = Hint.targetOf(next);
            targets.add(target);
            next = target.value() == -1L ? null : hints.ceilingKey(Hint.storageKey(new NodeId(target.value() + 1), 0));
        }
        return targets;
    }

    @Override
    public long hintCount(NodeId target) {
        return hints.subMap(Hint.storageKey(target, 0), true, Hint.storageKey(target, -1L), true)
                .size();
    }

    @Override
    public void removeHint(NodeId target, long id) {
        byte[] storageKey = Hint.storageKey(target, id);
        synchronized (writeLock) {
            byte[] previous = hints.remove(storageKey);
            hintUndo.putIfAbsent(storageKey, Optional.ofNullable(previous));
            sequence.incrementAndGet();
        }
    }

    @Override
    public long hintCount() {
        return hints.size();
    }

    @Override
    public List<StoredRecord> scan(int partition, String table, byte[] prefix, byte[] afterKey, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        byte[] tablePrefix = StorageKeys.tablePrefix(partition, table);
        byte[] range = StorageKeys.scanStart(partition, table, prefix, null);
        byte[] start = StorageKeys.scanStart(partition, table, prefix, afterKey);
        List<StoredRecord> out = new ArrayList<>(Math.min(limit, 64));
        for (Map.Entry<byte[], byte[]> e : records.tailMap(start, true).entrySet()) {
            if (out.size() >= limit || !StorageKeys.startsWith(e.getKey(), range)) {
                break;
            }
            byte[] key = StorageKeys.userKey(e.getKey(), tablePrefix.length);
            out.add(new StoredRecord(key, Versioned.decode(e.getValue())));
        }
        return out;
    }

    @Override
    public List<PartitionRecord> scanPartition(int partition, String afterTable, byte[] afterKey, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        byte[] range = StorageKeys.partitionPrefix(partition);
        byte[] start = StorageKeys.partitionScanStart(partition, afterTable, afterKey);
        List<PartitionRecord> out = new ArrayList<>(Math.min(limit, 64));
        for (Map.Entry<byte[], byte[]> e : records.tailMap(start, true).entrySet()) {
            if (out.size() >= limit || !StorageKeys.startsWith(e.getKey(), range)) {
                break;
            }
            out.add(StorageKeys.partitionRecord(e.getKey(), Versioned.decode(e.getValue())));
        }
        return out;
    }

    @Override
    public long sync() {
        synchronized (writeLock) {
            undo.clear();
            hintUndo.clear();
            unsynced.clear();
            return sequence.get();
        }
    }

    /**
     * Loses every write since the last {@link #sync()}, as a machine crash would, and returns how
     * many keys were restored. Sequence numbers keep rising afterwards: none is ever reused.
     */
    public int crash() {
        synchronized (writeLock) {
            int restored = undo.size();
            for (Map.Entry<byte[], Optional<byte[]>> e : undo.entrySet()) {
                byte[] restoredValue = e.getValue().orElse(null);
                byte[] current =
                        restoredValue == null ? records.remove(e.getKey()) : records.put(e.getKey(), restoredValue);
                account(e.getKey(), current, restoredValue);
            }
            undo.clear();
            unsynced.clear();
            for (Map.Entry<byte[], Optional<byte[]>> e : hintUndo.entrySet()) {
                if (e.getValue().isPresent()) {
                    hints.put(e.getKey(), e.getValue().get());
                } else {
                    hints.remove(e.getKey());
                }
            }
            hintUndo.clear();
            return restored;
        }
    }

    /** Memory outlives only a process crash the simulator does not model apart from a machine crash. */
    @Override
    public long flush() {
        return lastSequence();
    }

    @Override
    public long lastSequence() {
        return sequence.get();
    }

    @Override
    public void putMeta(String name, byte[] value) {
        meta.put(name, value.clone());
    }

    /** One lock for the whole batch, so no reader sees some of the values and not the others. */
    @Override
    public void putMetas(Map<String, byte[]> values) {
        synchronized (meta) {
            values.forEach((name, value) -> meta.put(name, value.clone()));
        }
    }

    /**
     * As on RocksDB (a range deletion synced with the metadata), the drop is durable at once: a
     * crash does not bring the dropped records back, and writes since the last sync that it
     * removed are not restored either.
     */
    @Override
    public void dropPartition(int partition) {
        byte[] range = StorageKeys.partitionPrefix(partition);
        synchronized (writeLock) {
            var dropped = records.tailMap(range, true).entrySet().iterator();
            while (dropped.hasNext()) {
                Map.Entry<byte[], byte[]> e = dropped.next();
                if (!StorageKeys.startsWith(e.getKey(), range)) {
                    break;
                }
                account(e.getKey(), e.getValue(), null);
                undo.remove(e.getKey());
                dropped.remove();
            }
            undo.keySet().removeIf(k -> StorageKeys.startsWith(k, range));
            sequence.incrementAndGet();
        }
    }

    @Override
    public Optional<byte[]> getMeta(String name) {
        return Optional.ofNullable(meta.get(name)).map(byte[]::clone);
    }

    @Override
    public StorageStats stats() {
        synchronized (writeLock) {
            return new StorageStats(recordCount, storedBytes, storedBytes);
        }
    }

    /** A clean shutdown keeps every write, as RocksDB's close does; the engine stays usable. */
    @Override
    public void close() {
        sync();
    }

    /** Numbers a data write (the caller holds writeLock) and notes it as not yet durable. */
    private long numbered(byte[] recordKey) {
        long number = sequence.incrementAndGet();
        unsynced.put(recordKey, number);
        return number;
    }

    /** Notes a write's previous value, unless the key was already written since the last sync. */
    private void remember(byte[] recordKey, byte[] previous) {
        if (!undo.containsKey(recordKey)) {
            undo.put(recordKey, Optional.ofNullable(previous));
        }
    }

    /** Updates the counts for a key whose value went from {@code before} to {@code after} (null: absent). */
    private void account(byte[] recordKey, byte[] before, byte[] after) {
        if (before != null) {
            recordCount--;
            storedBytes -= recordKey.length + before.length;
        }
        if (after != null) {
            recordCount++;
            storedBytes += recordKey.length + after.length;
        }
    }
}
