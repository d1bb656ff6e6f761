/**
 * Local storage of versioned records, laid out by partition so a partition can be scanned, hashed
 * and streamed on its own. {@link io.dynakv.storage.StorageEngine} is the one interface; the
 * RocksDB engine (module dynakv-storage-rocksdb) serves production and
 * {@link io.dynakv.storage.InMemoryStorageEngine} serves tests and the simulator.
 */
package io.dynakv.storage;
