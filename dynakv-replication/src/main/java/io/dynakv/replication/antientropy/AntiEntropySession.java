package io.dynakv.replication.antientropy;

import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.common.Versioned;
import io.dynakv.common.message.Transport;
import io.dynakv.replication.antientropy.AntiEntropyMessage.BucketReply;
import io.dynakv.replication.antientropy.AntiEntropyMessage.BucketRequest;
import io.dynakv.replication.antientropy.AntiEntropyMessage.HashesReply;
import io.dynakv.replication.antientropy.AntiEntropyMessage.HashesRequest;
import io.dynakv.replication.antientropy.MerkleDiff.RecordDifference;
import io.dynakv.replication.coordinator.ReplicaGateway;
import io.dynakv.replication.coordinator.ReplicaReply;
import io.dynakv.replication.replica.KeyRef;
import io.dynakv.replication.replica.Replica;
import io.dynakv.storage.PartitionRecord;
import io.dynakv.storage.StorageEngine;
import io.dynakv.storage.StorageFullException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One anti-entropy round (Dynamo paper, section 4.7) run by the initiator: compares one partition
 * with one peer and repairs both sides. Sans-I/O: messages go out through a {@link Transport},
 * replies come in through {@link #onMessage}, repairs to the peer go through a {@link
 * ReplicaGateway}, and every delay is a {@link Scheduler} task; the caller's event loop drives it.
 *
 * <p>Steps: build the local tree; ask the peer for its root hash, then level by level for the
 * children of the nodes that differ ({@link MerkleDiff#differing}, {@link MerkleDiff#children});
 * fetch each differing bucket's records, one bucket at a time; compare key by key ({@link
 * MerkleDiff#differingRecords}). A version the peer holds is applied locally ({@link
 * Replica#apply}, which keeps it only if it supersedes or conflicts); then whatever the local
 * replica holds, if it is not the peer's version, is pushed to the peer (except a tombstone past
 * the grace that only one side still holds: see {@link
 * io.dynakv.replication.replica.TombstoneHorizons}). After the apply the local version descends
 * from the peer's, or (equal clocks, different contents) orders before it in {@link
 * io.dynakv.replication.replica.Resolution}'s total order, so the peer's own resolution takes it as
 * is: one round leaves both replicas with the same version of every key that was compared.
 *
 * <p>Fault model: messages may be lost, duplicated, delayed or reordered ({@link Transport}). Only
 * the reply to the one outstanding request is accepted (matched by session id, level or bucket);
 * anything else is dropped. A lost message stalls the round until the session timeout ends it as
 * {@link Status#TIMED_OUT}; the repairs made so far are each a normal resolution, so a partial
 * round leaves both replicas valid and the next round finishes the work.
 *
 * <p>Bandwidth: every request, every pushed version and every bucket reply received is charged to
 * a {@link ByteBudget}; while it is in debt the next send waits on the {@link Scheduler}. Charging
 * the replies to the initiator caps the peer's sending too, since the peer only answers requests.
 */
public final class AntiEntropySession {

    /** Bytes charged for a message's fixed part (ids, partition, level) beyond its records. */
    static final int MESSAGE_OVERHEAD_BYTES = 32;

    /** Where a round stands. */
    public enum State {
        /** Not started yet. */
        NEW,
        /** Walking the peer's tree level by level. */
        COMPARING_HASHES,
        /** Fetching the differing buckets and repairing their keys. */
        REPAIRING_BUCKETS,
        /** All buckets compared; waiting for the peer to acknowledge pushed versions. */
        AWAITING_PUSHES,
        /** Ended; see {@link Outcome}. */
        DONE
    }

    /** How a round ended. */
    public enum Status {
        /** Every differing bucket was compared and every pushed version acknowledged. */
        COMPLETED,
        /** The session timeout fired first; the repairs made so far stay. */
        TIMED_OUT,
        /** The peer refused a pushed version; the other repairs stay. */
        PUSH_FAILED,
        /** This node's disk is full: a version pulled from the peer could not be stored. */
        LOCAL_DISK_FULL
    }

    /**
     * The result of a round.
     *
     * @param differingBuckets buckets whose hashes differed
     * @param pulled peer versions applied locally (each resolved by {@link Replica#apply})
     * @param pushed local versions sent to the peer
     */
    public record Outcome(Status status, int differingBuckets, int pulled, int pushed) {}

    /**
     * Tuning of a round.
     *
     * @param leafCount leaves of both trees (a power of two; both sides must agree)
     * @param pageSize records per storage scan
     * @param sessionTimeoutNanos how long a round may take in all before it is abandoned
     * @param bytesPerSecond the bandwidth cap
     * @param burstBytes how much may go at once before the cap applies
     */
    public record Settings(
            int leafCount, int pageSize, long sessionTimeoutNanos, long bytesPerSecond, long burstBytes) {
        public Settings {
            MerkleTree.depthOf(leafCount);
            if (pageSize < 1 || sessionTimeoutNanos < 1) {
                throw new IllegalArgumentException("page size and timeout must be positive");
            }
        }

        public static Settings defaults() {
            return new Settings(
                    MerkleTree.DEFAULT_LEAF_COUNT, MerkleTree.DEFAULT_PAGE_SIZE, 60_000_000_000L, 4 << 20, 1 << 20);
        }
    }

    private final long sessionId;
    private final int partition;
    private final NodeId peer;
    private final StorageEngine storage;
    private final Replica replica;
    private final Transport transport;
    private final ReplicaGateway gateway;
    private final Scheduler scheduler;
    private final ByteBudget budget;
    private final Settings settings;
    private final Consumer<Outcome> onDone;

    /** Sends waiting for the budget, in order; bounded by the buckets' records (at most one bucket). */
    private final ArrayDeque<PendingSend> sendQueue = new ArrayDeque<>();

    private State state = State.NEW;
    private MerkleTree localTree;
    private Scheduler.Cancellable timeout;
    private Scheduler.Cancellable drainTimer;
    private int expectedLevel;
    private List<Integer> expectedIndexes = List.of();
    private int[] buckets = new int[0];
    private int nextBucket;
    private int pendingPushes;
    private int pulled;
    private int pushed;
    private boolean pushFailed;

    public AntiEntropySession(
            long sessionId,
            int partition,
            NodeId peer,
            StorageEngine storage,
            Replica replica,
            Transport transport,
            ReplicaGateway gateway,
            Scheduler scheduler,
            ByteBudget budget,
            Settings settings,
            Consumer<Outcome> onDone) {
        this.sessionId = sessionId;
        this.partition = partition;
        this.peer = peer;
        this.storage = storage;
        this.replica = replica;
        this.transport = transport;
        this.gateway = gateway;
        this.scheduler = scheduler;
        this.budget = budget;
        this.settings = settings;
        this.onDone = onDone;
    }

    public State state() {
        return state;
    }

    public long sessionId() {
        return sessionId;
    }

    /** Builds the local tree, arms the session timeout and asks the peer for its root. */
    public void start() {
        if (state != State.NEW) {
            throw new IllegalStateException("session " + sessionId + " already started: " + state);
        }
        state = State.COMPARING_HASHES;
        timeout = scheduler.schedule(settings.sessionTimeoutNanos(), () -> finish(Status.TIMED_OUT));
        localTree = MerkleTree.build(storage, partition, settings.leafCount(), settings.pageSize());
        requestHashes(0, List.of(0));
    }

    /** Handles a reply from the peer; anything not awaited (stale, duplicate, other peer) is dropped. */
    public void onMessage(NodeId from, AntiEntropyMessage message) {
        if (!from.equals(peer) || message.sessionId() != sessionId) {
            return;
        }
        if (message instanceof HashesReply r) {
            onHashes(r);
        } else if (message instanceof BucketReply r) {
            onBucket(r);
        }
    }

    private void onHashes(HashesReply reply) {
        if (state != State.COMPARING_HASHES
                || reply.level() != expectedLevel
                || !reply.indexes().equals(expectedIndexes)) {
            return;
        }
        expectedIndexes = List.of(); // a duplicate of this reply is now stale
        int[] differ = MerkleDiff.differing(localTree, reply.level(), toInts(reply.indexes()), toLongs(reply.hashes()));
        if (differ.length == 0) {
            finishIfIdle();
        } else if (reply.level() == localTree.depth()) {
            buckets = differ;
            state = State.REPAIRING_BUCKETS;
            requestNextBucket();
        } else {
            requestHashes(reply.level() + 1, boxed(MerkleDiff.children(differ)));
        }
    }

    private void onBucket(BucketReply reply) {
        if (state != State.REPAIRING_BUCKETS
                || nextBucket == 0
                || reply.bucket() != buckets[nextBucket - 1]
                || expectedIndexes.isEmpty()) {
            return;
        }
        expectedIndexes = List.of();
        long replyBytes = MESSAGE_OVERHEAD_BYTES;
        for (PartitionRecord r : reply.records()) {
            if (MerkleTree.bucketOf(r.table(), r.key(), settings.leafCount()) != reply.bucket()) {
                return; // not what was asked for: a broken peer; treat as lost, the timeout ends the round
            }
            replyBytes += recordBytes(r.table(), r.key(), r.value());
        }
        budget.take(replyBytes);
        List<PartitionRecord> local =
                bucketRecords(storage, partition, settings.leafCount(), settings.pageSize(), reply.bucket());
        for (RecordDifference d : MerkleDiff.differingRecords(local, reply.records())) {
            if (!repair(d)) {
                return;
            }
        }
        requestNextBucket();
    }

    /**
     * Pulls the peer's version, then pushes the local result if the peer does not hold it already.
     * Returns false when the round had to end: a full disk here cannot store what it pulls, and a
     * round that goes on would claim (as a completed round) a repair it never made.
     */
    private boolean repair(RecordDifference d) {
        KeyRef key = new KeyRef(partition, d.table(), d.key());
        if (purgedOnOneSide(d.peer(), replica.read(key))) {
            return true;
        }
        if (d.peer().isPresent()) {
            try {
                replica.apply(key, d.peer().get());
            } catch (StorageFullException e) {
                finish(Status.LOCAL_DISK_FULL);
                return false;
            }
            pulled++;
        }
        Optional<Versioned> mine = replica.read(key);
        if (mine.isEmpty() || d.peer().equals(mine)) {
            return true;
        }
        Versioned version = mine.get();
        pushed++;
        pendingPushes++;
        enqueue(recordBytes(d.table(), d.key(), version), () -> gateway.write(peer, key, version, this::onPushReply));
        return true;
    }

    /**
     * One side holds a tombstone past the grace, the other nothing for its key: that side purged
     * it, or never held anything it could bring back. Copying it either way would only have it
     * purged again (see {@link io.dynakv.replication.replica.TombstoneHorizons}).
     */
    private boolean purgedOnOneSide(Optional<Versioned> peerVersion, Optional<Versioned> mine) {
        if (peerVersion.isPresent() == mine.isPresent()) {
            return false;
        }
        return replica.horizons().pastGrace(peerVersion.isPresent() ? peerVersion.get() : mine.get());
    }

    private void onPushReply(ReplicaReply reply) {
        if (state == State.DONE) {
            return;
        }
        pendingPushes--;
        if (!(reply instanceof ReplicaReply.WriteDone)) {
            pushFailed = true;
        }
        finishIfIdle();
    }

    private void requestHashes(int level, List<Integer> indexes) {
        expectedLevel = level;
        expectedIndexes = indexes;
        HashesRequest request = new HashesRequest(sessionId, partition, settings.leafCount(), level, indexes);
        enqueue(MESSAGE_OVERHEAD_BYTES + 4L * indexes.size(), () -> transport.send(peer, request));
    }

    private void requestNextBucket() {
        if (nextBucket == buckets.length) {
            state = State.AWAITING_PUSHES;
            finishIfIdle();
            return;
        }
        int bucket = buckets[nextBucket++];
        expectedIndexes = List.of(bucket);
        BucketRequest request = new BucketRequest(sessionId, partition, settings.leafCount(), bucket);
        enqueue(MESSAGE_OVERHEAD_BYTES, () -> transport.send(peer, request));
    }

    private void finishIfIdle() {
        boolean walkDone = state == State.AWAITING_PUSHES || state == State.COMPARING_HASHES && buckets.length == 0;
        if (walkDone && pendingPushes == 0 && sendQueue.isEmpty()) {
            finish(pushFailed ? Status.PUSH_FAILED : Status.COMPLETED);
        }
    }

    private void finish(Status status) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        sendQueue.clear();
        if (timeout != null) {
            timeout.cancel();
        }
        if (drainTimer != null) {
            drainTimer.cancel();
        }
        onDone.accept(new Outcome(status, buckets.length, pulled, pushed));
    }

    private void enqueue(long bytes, Runnable send) {
        sendQueue.addLast(new PendingSend(bytes, send));
        if (drainTimer == null) {
            drain();
        }
    }

    /** Sends queued messages while the budget allows; otherwise waits for the refill. */
    private void drain() {
        drainTimer = null;
        while (!sendQueue.isEmpty() && state != State.DONE) {
            long delay = budget.delayNanos();
            if (delay > 0) {
                drainTimer = scheduler.schedule(delay, this::drain);
                return;
            }
            PendingSend next = sendQueue.removeFirst();
            budget.take(next.bytes());
            next.send().run();
        }
    }

    private record PendingSend(long bytes, Runnable send) {}

    /** The bytes a record costs on the wire: table, key and encoded version, plus framing. */
    static long recordBytes(String table, byte[] key, Versioned version) {
        return 8L + table.length() + key.length + version.encode().length;
    }

    /** The records of one bucket, by a paged scan of the partition (bounded memory per page). */
    static List<PartitionRecord> bucketRecords(
            StorageEngine storage, int partition, int leafCount, int pageSize, int bucket) {
        List<PartitionRecord> out = new ArrayList<>();
        String afterTable = null;
        byte[] afterKey = null;
        while (true) {
            List<PartitionRecord> page = storage.scanPartition(partition, afterTable, afterKey, pageSize);
            for (PartitionRecord r : page) {
                if (MerkleTree.bucketOf(r.table(), r.key(), leafCount) == bucket) {
                    out.add(r);
                }
            }
            if (page.size() < pageSize) {
                return out;
            }
            PartitionRecord last = page.get(page.size() - 1);
            afterTable = last.table();
            afterKey = last.key();
        }
    }

    private static int[] toInts(List<Integer> values) {
        int[] out = new int[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static long[] toLongs(List<Long> values) {
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static List<Integer> boxed(int[] values) {
        List<Integer> out = new ArrayList<>(values.length);
        for (int v : values) {
            out.add(v);
        }
        return out;
    }
}
