package io.dynakv.replication.replica;

/**
 * Tells a replica when its writes are on disk. A write is visible as soon as storage returns, but a
 * replica acknowledges it only when durable (DESIGN section 2), so the group committer can make many
 * writes durable with one fsync. Callbacks run on the event loop that asked.
 */
public interface Durability {

    /** Runs {@code onDurable} once every write up to storage sequence {@code sequence} is durable. */
    void whenDurable(long sequence, Runnable onDurable);
}
