package io.dynakv.storage.rocksdb;

import io.dynakv.storage.StorageFullException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the disk under one engine's directory is full, and what the operator is told about it.
 * A write that finds the disk full marks it so; from then on the engine refuses writes at once
 * (nothing more piles up in memory) but serves reads, until space returns and the database has
 * been reopened (see {@code RocksDbStorageEngine.reopenIfRoom}).
 */
final class FullDisk {

    private static final Logger log = LoggerFactory.getLogger(FullDisk.class);

    /**
     * Free space a reopen needs beyond the log it replays into a table file: a new MANIFEST,
     * OPTIONS file, info LOG and write-ahead log. Reopening with less would fail again, and a
     * failed reopen leaves reads without a database until the next attempt.
     */
    static final long REOPEN_HEADROOM_BYTES = 4L * 1024 * 1024;

    private final Path dir;
    private volatile boolean full;

    FullDisk(Path dir) {
        this.dir = dir;
    }

    boolean isFull() {
        return full;
    }

    /** RocksDB's "No space left on device" (ENOSPC); the message is checked too, as its wrappers keep it. */
    static boolean isNoSpace(RocksDBException e) {
        Status status = e.getStatus();
        if (status != null
                && status.getCode() == Status.Code.IOError
                && status.getSubCode() == Status.SubCode.NoSpace) {
            return true;
        }
        return e.getMessage() != null && e.getMessage().contains("No space left on device");
    }

    /** A write found the disk full: remember it, and return the error to throw. */
    StorageFullException filled(RocksDBException cause) {
        if (!full) {
            full = true;
            log.error(
                    "disk full dir={}: writes are refused (HTTP 507) until space returns; reads go on (RocksDB: {})",
                    dir,
                    cause.getMessage());
        }
        return error();
    }

    /** The database was reopened with room to spare: writes are accepted again. */
    void emptied() {
        full = false;
        log.info("disk has space again dir={}: writes are accepted", dir);
    }

    /** Whether the disk has room to replay {@code logBytes} of write-ahead log and start afresh. */
    boolean hasRoomToReopen(long logBytes) {
        try {
            return Files.getFileStore(dir).getUsableSpace() >= logBytes + REOPEN_HEADROOM_BYTES;
        } catch (IOException e) {
            return false;
        }
    }

    StorageFullException error() {
        return new StorageFullException("the disk of " + dir + " is full: free space on it (delete other files"
                + " there or grow the volume); until then writes are refused and reads still work, and the node"
                + " retries every second and accepts writes again by itself, without a restart");
    }
}
