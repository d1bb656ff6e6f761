/**
 * The production {@link io.dynakv.storage.StorageEngine}, on embedded RocksDB (JNI). Kept in its
 * own module so that the protocol modules never have RocksDB's native library on their classpath
 * (STYLE section 1). One database per node, with column families {@code data} (records, laid out
 * by {@link io.dynakv.storage.StorageKeys}), {@code hints} (hinted handoff) and {@code meta}.
 */
package io.dynakv.storage.rocksdb;
