package io.dynakv.storage;

/**
 * Sizes reported by an engine.
 *
 * @param estimatedKeys records stored, tombstones included (RocksDB's estimate)
 * @param diskBytes bytes on disk: table files plus write-ahead log
 * @param memoryBytes bytes held in memory by caches and write buffers
 */
public record StorageStats(long estimatedKeys, long diskBytes, long memoryBytes) {}
