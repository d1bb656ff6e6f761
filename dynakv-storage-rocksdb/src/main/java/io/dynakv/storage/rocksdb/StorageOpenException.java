package io.dynakv.storage.rocksdb;

import java.nio.file.Path;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/**
 * The data directory could not be opened. The message is meant for the operator: it names the
 * directory, says what is wrong and what to do, and quotes RocksDB (which names the damaged file
 * when it knows it). Unchecked: a node cannot start without its storage, so {@code main} reports
 * the message and exits.
 */
public final class StorageOpenException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why opening failed, so callers (and tests) need not parse the message. */
    public enum Reason {
        /** Another process (or another engine in this one) holds the directory's lock. */
        LOCKED,
        /** A file in the directory failed a checksum or does not parse. */
        CORRUPTED,
        /** Anything else: permissions, a full disk, an unsupported option. */
        IO_ERROR
    }

    private final Reason reason;

    StorageOpenException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** Translates RocksDB's failure to open {@code dir} into an operator's message. */
    static StorageOpenException from(Path dir, RocksDBException e) {
        String rocks = e.getMessage() == null ? "(no message)" : e.getMessage();
        Status.Code code = e.getStatus() == null ? null : e.getStatus().getCode();
        if (isLockFailure(code, rocks)) {
            return new StorageOpenException(
                    Reason.LOCKED,
                    "another dynakv process is using " + dir + "; stop it or choose another --data-dir" + " (RocksDB: "
                            + rocks + ")",
                    e);
        }
        if (code == Status.Code.Corruption) {
            return new StorageOpenException(
                    Reason.CORRUPTED,
                    "the data directory " + dir + " is corrupted (RocksDB: " + rocks + "); do not delete it: move it"
                            + " aside and restore the node's data from a replica or a backup",
                    e);
        }
        return new StorageOpenException(Reason.IO_ERROR, "cannot open the data directory " + dir + ": " + rocks, e);
    }

    /**
     * RocksDB reports a held lock as an I/O error on the LOCK file: "While lock file: .../LOCK:
     * Resource temporarily unavailable" from another process, "lock hold by current process" from
     * this one. There is no dedicated status code, so the message is the only signal.
     */
    private static boolean isLockFailure(Status.Code code, String message) {
        return (code == null || code == Status.Code.IOError)
                && (message.contains("lock file") || message.contains("lock hold by current process"));
    }
}
