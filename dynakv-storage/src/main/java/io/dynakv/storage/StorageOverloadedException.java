package io.dynakv.storage;

/**
 * More writes wait for the disk than the engine keeps in memory: the disk is slower than the
 * writes coming in (or stalled). The engine refuses new writes with this until its backlog drains,
 * so memory stays bounded instead of growing until the JVM runs out. Its own type so the API
 * answers 503 (retry later) rather than 507 or 500. The message says how far over the bound it is.
 */
public final class StorageOverloadedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StorageOverloadedException(String message) {
        super(message);
    }
}
