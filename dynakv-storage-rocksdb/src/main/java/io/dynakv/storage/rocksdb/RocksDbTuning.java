package io.dynakv.storage.rocksdb;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.DataBlockIndexType;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB options of one engine, and the native objects behind them, which must outlive the
 * database and be closed after it (RocksDB JNI frees them explicitly, never by GC).
 *
 * <p>Goals, in order: bounded native memory (one node with 1,000,000 keys of 100-byte values under
 * 768 MiB resident, JVM included), fast point reads, then working prefix scans. Native memory is
 * dominated by two things, and both are capped here: the block cache, which also holds index and
 * filter blocks so that they cannot grow outside it with the data, and the memtables, capped per
 * column family and in total across them.
 *
 * <p>Why not {@code optimizeForPointLookup}: it switches to a hash index that needs a prefix
 * extractor and makes seeks outside a prefix undefined, which would break scans. We take the parts
 * that do not: bloom filters on whole keys (SST and memtable) and a hash index inside each data
 * block beside the binary-search one.
 */
final class RocksDbTuning implements AutoCloseable {

    private static final long MIB = 1024 * 1024;

    /** Write buffer of the small column families (default, hints, meta); RocksDB's floor is 64 KiB. */
    private static final long SMALL_WRITE_BUFFER_BYTES = 4 * MIB;

    /** RocksDB's default number of LSM levels. */
    private static final int LEVELS = 7;

    final LRUCache blockCache;
    final DBOptions dbOptions;
    final ColumnFamilyOptions dataOptions;
    final ColumnFamilyOptions smallOptions;
    /** Shared by every read: ReadOptions are thread-safe while nobody mutates them. */
    final ReadOptions readOptions;
    /** WAL on, no fsync: the write is in the OS page cache on return; {@code sync()} fsyncs. */
    final WriteOptions writeOptions;
    /** For metadata, which must be durable when {@code putMeta} returns. */
    final WriteOptions syncWriteOptions;

    /** Every native object made here, in creation order; closed in reverse. */
    private final List<AutoCloseable> natives = new ArrayList<>();

    RocksDbTuning(RocksDbStorageEngine.Options options) {
        try {
            blockCache = own(new LRUCache(options.blockCacheBytes(), -1, false, 0.5));
            BlockBasedTableConfig table = tableConfig(blockCache, own(new BloomFilter(options.bloomBitsPerKey())));
            dataOptions = own(dataOptions(options, table));
            smallOptions = own(smallOptions(options, table));
            dbOptions = own(dbOptions(options));
            readOptions = own(new ReadOptions());
            writeOptions = own(new WriteOptions()).setSync(false).setDisableWAL(false);
            syncWriteOptions = own(new WriteOptions()).setSync(true).setDisableWAL(false);
        } catch (RuntimeException | Error e) {
            close(); // a half-built set of options must not leak its native memory
            throw e;
        }
    }

    private static BlockBasedTableConfig tableConfig(LRUCache blockCache, BloomFilter bloom) {
        // Half the cache may hold index and filter blocks at high priority, so a scan or a burst of
        // cold reads cannot evict them (each miss there costs a disk read per lookup).
        return new BlockBasedTableConfig()
                .setBlockCache(blockCache)
                .setFilterPolicy(bloom)
                .setWholeKeyFiltering(true)
                .setCacheIndexAndFilterBlocks(true)
                .setCacheIndexAndFilterBlocksWithHighPriority(true)
                .setPinL0FilterAndIndexBlocksInCache(true)
                .setOptimizeFiltersForMemory(true)
                .setDataBlockIndexType(DataBlockIndexType.kDataBlockBinaryAndHash)
                .setDataBlockHashTableUtilRatio(0.75);
    }

    private static ColumnFamilyOptions dataOptions(RocksDbStorageEngine.Options options, BlockBasedTableConfig table) {
        return new ColumnFamilyOptions()
                .setTableFormatConfig(table)
                .setWriteBufferSize(options.writeBufferBytes())
                .setMaxWriteBufferNumber(options.maxWriteBufferNumber())
                .setMinWriteBufferNumberToMerge(1)
                .setLevelCompactionDynamicLevelBytes(true)
                // A whole-key bloom filter in the memtable: a miss skips the memtable's skip list.
                .setMemtablePrefixBloomSizeRatio(0.02)
                .setMemtableWholeKeyFiltering(true)
                .setCompressionPerLevel(compressionPerLevel(options.compressLowerLevels()));
    }

    /** Default, hints and meta: written rarely or in small volume, so small memtables. */
    private static ColumnFamilyOptions smallOptions(RocksDbStorageEngine.Options options, BlockBasedTableConfig table) {
        return new ColumnFamilyOptions()
                .setTableFormatConfig(table)
                .setWriteBufferSize(Math.min(SMALL_WRITE_BUFFER_BYTES, options.writeBufferBytes()))
                .setMaxWriteBufferNumber(2)
                .setLevelCompactionDynamicLevelBytes(true)
                .setCompressionPerLevel(compressionPerLevel(options.compressLowerLevels()));
    }

    private static DBOptions dbOptions(RocksDbStorageEngine.Options options) {
        long memtableBytesMax = options.writeBufferBytes() * options.maxWriteBufferNumber();
        return new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                // Check every file's checksums and refuse to open a damaged directory rather than
                // serve from it (the node then says which file, see StorageOpenException).
                .setParanoidChecks(true)
                // After kill -9 or power loss the log may end in a torn record; recover up to it.
                // Every acknowledged write was fsynced before that point, so none is lost.
                .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
                .setMaxOpenFiles(-1)
                .setMaxBackgroundJobs(options.maxBackgroundJobs())
                // Caps memtables across all column families, not just data's.
                .setDbWriteBufferSize(memtableBytesMax)
                // The log is shared by the column families; rarely written ones (meta, hints) would
                // otherwise pin old log files forever. Past this size RocksDB flushes them.
                .setMaxTotalWalSize(4 * options.writeBufferBytes())
                .setBytesPerSync(MIB)
                .setKeepLogFileNum(4)
                .setMaxLogFileSize(16 * MIB);
    }

    /** Frees every native object, last made first. Call only after the database is closed. */
    @Override
    public void close() {
        List<AutoCloseable> reversed = new ArrayList<>(natives);
        Collections.reverse(reversed);
        RuntimeException failure = null;
        for (AutoCloseable resource : reversed) {
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing RocksDB options failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        natives.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private <T extends AutoCloseable> T own(T resource) {
        natives.add(resource);
        return resource;
    }

    /**
     * No compression in L0 (fresh data, soon rewritten), LZ4 below: cheap to decompress on a read
     * that misses the cache, and it shrinks JSON values. LZ4 is built into rocksdbjni's native
     * libraries; a build without it fails at open, and {@code compressLowerLevels=false} avoids it.
     */
    private static List<CompressionType> compressionPerLevel(boolean compress) {
        List<CompressionType> levels = new ArrayList<>(LEVELS);
        for (int level = 0; level < LEVELS; level++) {
            levels.add(compress && level > 0 ? CompressionType.LZ4_COMPRESSION : CompressionType.NO_COMPRESSION);
        }
        return levels;
    }
}
