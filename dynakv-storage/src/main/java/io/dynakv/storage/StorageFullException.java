package io.dynakv.storage;

/**
 * The disk under the data directory is full. The engine refuses writes with this until space
 * returns, and keeps serving reads. Its own type, not a plain I/O failure, so the API can answer
 * 507 Insufficient Storage and a coordinator can tell a full replica from a broken one. The
 * message is for the operator: it names the directory and says what to do.
 */
public final class StorageFullException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StorageFullException(String message) {
        super(message);
    }
}
