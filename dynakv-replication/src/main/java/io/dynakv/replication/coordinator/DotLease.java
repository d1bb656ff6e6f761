package io.dynakv.replication.coordinator;

import io.dynakv.common.NodeId;
import io.dynakv.common.codec.ByteReader;
import io.dynakv.common.codec.ByteWriter;
import io.dynakv.storage.StorageEngine;
import io.dynakv.storage.StorageFullException;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Where a node's dots come from: one counter per data directory that never goes backwards, under
 * an <em>actor</em> id drawn once when the data directory is made (so a wiped directory gets a new
 * actor and can never reuse a dot). A dot taken from what a key stores locally is reused whenever
 * the local copy lags what the other replicas hold (the coordinator's own write refused by a full
 * disk, lost by a power cut, or purged with a tombstone), and replicas then drop the second write
 * as already known; a node-wide counter cannot do that.
 *
 * <p>Durable by leasing blocks, as sequence generators in databases do: the metadata says "dots up
 * to X may have been issued", written and synced <em>before</em> any dot up to X is issued, so a
 * restart (crash or power loss) starts past X. A renewal is asked for once half the block is used,
 * and runs off the event loop ({@link MetaWriter}); minting never waits for the disk. When the
 * lease runs out and cannot be renewed (a full disk), {@link #next} answers empty and the
 * coordinator lets another replica mint instead.
 *
 * <p>Shared by every event loop of a node: the counter is a lock-free atomic, so a loop never waits.
 */
public final class DotLease {

    /** The metadata entry: {@code [actor: 8][leased up to: 8]}. */
    static final String META_NAME = "dot_lease";

    /** Writes one metadata entry durably off the event loop, then calls back (on any thread). */
    public interface MetaWriter {
        void write(String name, byte[] value, Runnable onDurable, Consumer<RuntimeException> onFailed);
    }

    private final NodeId actor;
    private final long block;
    private final MetaWriter writer;
    /** The next dot to issue. */
    private final AtomicLong next;
    /** Dots up to this are covered by a durable lease. */
    private volatile long leasedUpTo;

    private final AtomicBoolean renewing = new AtomicBoolean();
    private volatile RuntimeException renewalFailure;

    DotLease(NodeId actor, long issuedUpTo, long leasedUpTo, long block, MetaWriter writer) {
        if (block < 2 || issuedUpTo < 0 || leasedUpTo < issuedUpTo) {
            throw new IllegalArgumentException("bad lease: issued " + issuedUpTo + ", leased " + leasedUpTo);
        }
        this.actor = actor;
        this.block = block;
        this.writer = writer;
        this.next = new AtomicLong(issuedUpTo + 1);
        this.leasedUpTo = leasedUpTo;
    }

    /**
     * Opens the lease kept in {@code storage}'s metadata, creating the actor (from
     * {@code freshActor}, never 0) for a new data directory, and leases a first block with a
     * synchronous metadata write: call it while the node starts, off any event loop. If that write
     * fails (a full disk), the node starts with no dots and mints none until a renewal succeeds.
     */
    public static DotLease open(StorageEngine storage, LongSupplier freshActor, long block, MetaWriter renewals) {
        NodeId actor;
        long leased;
        var stored = storage.getMeta(META_NAME);
        if (stored.isPresent()) {
            ByteReader in = new ByteReader(stored.get());
            actor = new NodeId(in.readLong());
            leased = in.readLong();
        } else {
            long id;
            do {
                id = freshActor.getAsLong();
            } while (id == 0);
            actor = new NodeId(id);
            leased = 0;
            // The actor must be on disk before its first dot, or a restart would draw another one.
            storage.putMeta(META_NAME, encode(actor, leased));
        }
        try {
            storage.putMeta(META_NAME, encode(actor, leased + block));
            return new DotLease(actor, leased, leased + block, block, renewals);
        } catch (StorageFullException e) {
            DotLease lease = new DotLease(actor, leased, leased, block, renewals);
            lease.renewalFailure = e;
            return lease;
        }
    }

    /** The identity dots are minted under. */
    public NodeId actor() {
        return actor;
    }

    /**
     * A fresh dot above {@code floor} (the highest dot of this actor the caller has seen for the
     * key, which only a restored data directory or a forged token could put at or above the
     * counter), or empty when the lease does not cover one yet: a renewal has been asked for.
     */
    public OptionalLong next(long floor) {
        if (floor >= Long.MAX_VALUE - 2 * block) {
            throw new IllegalArgumentException("the dot counter of " + actor + " is exhausted");
        }
        while (true) {
            long candidate = Math.max(next.get(), floor + 1);
            long leased = leasedUpTo;
            if (candidate > leased) {
                renew(candidate);
                return OptionalLong.empty();
            }
            long current = next.get();
            if (candidate >= current && next.compareAndSet(current, candidate + 1)) {
                if (leased - candidate < block / 2) {
                    renew(candidate);
                }
                return OptionalLong.of(candidate);
            }
        }
    }

    /** Why the last renewal failed, if it did and none succeeded since: a full disk answers 507. */
    public boolean renewalFailedOnFullDisk() {
        return renewalFailure instanceof StorageFullException;
    }

    /** The last renewal's failure message, for the client's error. */
    public String renewalFailureMessage() {
        RuntimeException failure = renewalFailure;
        return failure == null ? "no dots leased yet" : failure.getMessage();
    }

    /** Leases up to a block past {@code needed}; one renewal at a time, retried by the next mint. */
    private void renew(long needed) {
        if (!renewing.compareAndSet(false, true)) {
            return;
        }
        long target = Math.max(leasedUpTo, needed) + block;
        writer.write(
                META_NAME,
                encode(actor, target),
                () -> {
                    leasedUpTo = Math.max(leasedUpTo, target);
                    renewalFailure = null;
                    renewing.set(false);
                },
                failure -> {
                    renewalFailure = failure;
                    renewing.set(false);
                });
    }

    static byte[] encode(NodeId actor, long leasedUpTo) {
        return new ByteWriter(16).writeLong(actor.value()).writeLong(leasedUpTo).toByteArray();
    }
}
