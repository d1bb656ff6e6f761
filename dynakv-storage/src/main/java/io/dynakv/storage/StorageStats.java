package io.dynakv.storage;

/**
 * Sizes and health reported by an engine.
 *
 * @param estimatedKeys records stored, tombstones included (RocksDB's estimate)
 * @param diskBytes bytes on disk: table files plus write-ahead log
 * @param memoryBytes bytes held in memory by caches and write buffers
 * @param diskFull the disk is full: writes are refused until space returns
 * @param corruptRecords reads that found a record failing its checksum since the engine opened
 */
public record StorageStats(
        long estimatedKeys, long diskBytes, long memoryBytes, boolean diskFull, long corruptRecords) {

    /** Sizes of a healthy engine. */
    public StorageStats(long estimatedKeys, long diskBytes, long memoryBytes) {
        this(estimatedKeys, diskBytes, memoryBytes, false, 0);
    }
}
