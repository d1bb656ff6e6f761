package io.dynakv.storage;

import io.dynakv.common.NodeId;
import io.dynakv.common.Versioned;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node's local store of versioned records, addressed by (partition, table, key).
 *
 * <p>Durability contract: {@link #put} and {@link #remove} are visible to reads as soon as they
 * return, and become durable once a later {@link #sync()} returns. A write is acknowledged to a
 * client only after that (see the group committer), so a crash can only lose writes no client was
 * told succeeded. Reads and writes are thread-safe; {@code sync} may run concurrently with them.
 */
public interface StorageEngine extends AutoCloseable {

    /** The stored version, tombstones included; empty when the key was never written or was purged. */
    Optional<Versioned> get(int partition, String table, byte[] key);

    /**
     * The sequence number of the newest write to this key that is not durable yet, or 0 when there
     * is none. A reader that must not return what a crash can take back waits until that sequence
     * is durable before it reads (see {@code LocalReplicaGateway}). An engine may report 0 for a
     * write it has already handed to the operating system: that survives a killed process, though
     * not a machine crash, until the next {@link #sync()}.
     */
    long unsyncedSequence(int partition, String table, byte[] key);

    /** Stores {@code value} as the key's version, replacing any previous one. Returns a sequence number. */
    long put(int partition, String table, byte[] key, Versioned value);

    /** Deletes the record outright (purging an expired tombstone). Returns a sequence number. */
    long remove(int partition, String table, byte[] key);

    /**
     * Up to {@code limit} records of one table in one partition, in unsigned byte order of key,
     * whose key starts with {@code prefix} and sorts strictly after {@code afterKey} (null: from the
     * first). Tombstones included.
     */
    List<StoredRecord> scan(int partition, String table, byte[] prefix, byte[] afterKey, int limit);

    /**
     * Up to {@code limit} records of one partition across all its tables, in storage order, after
     * {@code (afterTable, afterKey)} (a null table: from the partition's start). For background work
     * that walks partitions (tombstone purging; Merkle trees and streaming in the cluster). It may
     * miss writes accepted but not yet synced: a caller that acts on a record re-reads it with
     * {@link #get} first.
     */
    List<PartitionRecord> scanPartition(int partition, String afterTable, byte[] afterKey, int limit);

    /**
     * Makes every write that has returned so far durable (an fsync of the write-ahead log), and
     * returns the highest sequence number now durable. Blocks: called by the group committer's
     * thread, never from an event loop.
     */
    long sync();

    /**
     * Makes every write that has returned so far survive a crash of this process, though not of
     * the machine (written to the OS, not fsynced). Returns the highest sequence covered. Used by
     * {@code --fsync=periodic} between fsyncs.
     */
    long flush();

    /** The sequence number of the newest write that has returned. */
    long lastSequence();

    /**
     * Keeps a write for a replica that did not acknowledge it, to hand it over when the replica is
     * back (hinted handoff, Dynamo paper section 4.6). Visible at once, durable with the next
     * {@link #sync()}, like any write. Returns the hint's id, unique and increasing per engine.
     */
    long putHint(Hint hint);

    /** Up to {@code limit} hints for {@code target} with an id above {@code afterId}, oldest first. */
    List<Hint> hints(NodeId target, long afterId, int limit);

    /** Every node with at least one hint waiting, in ascending id order. */
    List<NodeId> hintTargets();

    /** Hints waiting for {@code target}; an estimate is fine (it bounds a target's queue). */
    long hintCount(NodeId target);

    /** Forgets a hint once the target has acknowledged it. */
    void removeHint(NodeId target, long id);

    /** Hints waiting, for every target (an estimate is fine), for /stats. */
    long hintCount();

    /** A small value stored beside the data (node id, cluster state), written durably at once. */
    void putMeta(String name, byte[] value);

    Optional<byte[]> getMeta(String name);

    /**
     * Several metadata values written durably at once, all or none: a crash never leaves some of
     * them written and others not (the ring table and the partitions still streaming in under it
     * must agree, or a node could serve a partition it never streamed).
     */
    void putMetas(Map<String, byte[]> values);

    /**
     * Deletes every record of {@code partition} written before this call, durably: this node no
     * longer holds the partition and its copy must never be served or handed on again (it lacks
     * the deletes made since). Writes that arrive during or after the call are kept. Blocks on
     * disk I/O: never call it from an event loop.
     */
    void dropPartition(int partition);

    /** Sizes for /stats and /metrics; estimates are fine. */
    StorageStats stats();

    @Override
    void close();
}
