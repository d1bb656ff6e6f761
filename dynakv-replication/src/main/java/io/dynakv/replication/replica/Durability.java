package io.dynakv.replication.replica;

import java.util.function.Consumer;

/**
 * Tells a replica when its writes are on disk. A write is visible as soon as storage returns, but a
 * replica acknowledges it only when durable (DESIGN section 2), so the group committer can make many
 * writes durable with one fsync. Callbacks run on the event loop that asked.
 */
public interface Durability {

    /**
     * Runs {@code onDurable} once every write up to storage sequence {@code sequence} is durable, or
     * {@code onFailed} when writing them to disk failed (a {@code StorageFullException} when the
     * disk is full). A failed write must not be acknowledged; like a timed-out one, it may still
     * become durable later, when the storage retries it.
     */
    void whenDurable(long sequence, Runnable onDurable, Consumer<RuntimeException> onFailed);
}
