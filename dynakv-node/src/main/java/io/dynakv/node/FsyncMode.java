package io.dynakv.node;

/** When a write is acknowledged relative to the fsync of the write-ahead log. */
public enum FsyncMode {
    /** Acknowledge only after the WAL is fsynced; concurrent writes share one fsync. */
    always,
    /** Acknowledge at once and fsync every interval: a crash can lose that interval's writes. */
    periodic
}
