package io.dynakv.replication.rebalance;

import io.dynakv.cluster.ring.Transfer;
import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.common.message.Transport;
import io.dynakv.replication.replica.Durability;
import io.dynakv.replication.replica.KeyRef;
import io.dynakv.replication.replica.Replica;
import io.dynakv.storage.PartitionRecord;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Pulls one partition a node gains in a ring change (Dynamo paper, section 4.9) from the nodes
 * that held it, one page at a time, and applies every record through the {@link Replica}, so a
 * version the target already holds, or a newer one, is kept ({@code Resolution}).
 *
 * <p>When is the partition complete? Writes reached W of the old preference list, and the sources
 * are that list with the replica this target replaces first (whoever builds the {@link Transfer}
 * must order it so: the argument rests on it). Every acknowledged write the remaining replicas lack
 * is on the replaced one, so (1) once the first source has streamed all of the partition, the
 * target holds its share and the new list is as complete as the old. If the first source is given
 * up (down per {@code isUp}, or {@code maxAttemptsPerSource} timeouts in a row), no single other
 * replica is known to hold every acknowledged write; only their union is safe, so (2) the partition
 * is complete once every other source has streamed all of it. Nothing else completes it: with one
 * source, or with another source given up too, the stream waits {@code retryDelayNanos} and starts
 * over with the first source. (3) A source that left the cluster for good ({@link SourceStatus#hasLeft})
 * never answers again. Waiting for it would stall the partition forever, so once the first source
 * has left too, the partition is complete when every other source that is still a member has
 * streamed all of it: what only the departed held is gone whatever the target does (two of the
 * old replicas are gone, beyond the N - W the quorum tolerates). While the first source has not
 * left, a departed other source only means rule 2 cannot complete, and the stream waits for the
 * first. Progress survives rounds: each source resumes at its own cursor, and
 * one that streamed all of it under rule (2) stays counted. That is as safe as a single pass, which
 * also relies on it: what a source sent is applied, and a write to a key after the source passed it
 * reaches the target directly (the target is in the new preference list, which writes already use).
 *
 * <p>Only after the last applied write is durable ({@link Durability}) does {@code onComplete} run:
 * the node then serves reads of the partition from this replica, which must not forget what it
 * claims to hold in a crash.
 *
 * <p>Fault model: messages may be lost, duplicated, delayed or reordered. One request is out at a
 * time, and the next is sent only after the page is applied. Each request gets its own id, {@code
 * streamId} plus a sequence number below {@link #REQUEST_IDS_PER_STREAM}; a page is accepted only
 * from the current source and for a request at the current cursor (a retry's or the original's, all
 * asking the same question), so a stale page, which could skip or repeat records, changes nothing.
 * A timeout asks again from the same cursor. Single-threaded: call it on the partition's loop only.
 */
public final class PartitionStream {

    /** Request ids each stream uses from its {@code streamId} up; ids wrap within this block. */
    public static final long REQUEST_IDS_PER_STREAM = 1L << 24;

    /** Where a stream stands. */
    public enum State {
        /** Not started yet. */
        NEW,
        /** A request to a source is out. */
        STREAMING,
        /** Every source of this round was given up before completion; waiting to start over. */
        WAITING_TO_RETRY,
        /** All records received and applied; waiting for them to be durable. */
        SYNCING,
        /** Complete and durable; {@code onComplete} has run. */
        DONE,
        /** Cancelled; sends nothing more. */
        CANCELLED
    }

    /**
     * Tuning of a stream.
     *
     * @param pageBytes the page size asked of sources
     * @param requestTimeoutNanos how long to wait for a page before asking again
     * @param retryDelayNanos the pause before starting over when every source was given up
     * @param maxAttemptsPerSource timeouts in a row after which a source is given up for the round
     */
    public record Settings(int pageBytes, long requestTimeoutNanos, long retryDelayNanos, int maxAttemptsPerSource) {
        public Settings {
            if (pageBytes < 1 || requestTimeoutNanos < 1 || retryDelayNanos < 1 || maxAttemptsPerSource < 1) {
                throw new IllegalArgumentException("stream settings must be positive: " + pageBytes + ", "
                        + requestTimeoutNanos + ", " + retryDelayNanos + ", " + maxAttemptsPerSource);
            }
        }

        public static Settings defaults() {
            return new Settings(1 << 20, 10_000_000_000L, 5_000_000_000L, 3);
        }
    }

    /** Where a source's stream stands: after this table and key; an empty table is the start. */
    private record Cursor(String table, byte[] key) {
        static final Cursor START = new Cursor("", new byte[0]);
    }

    private final long streamId;
    private final Transfer transfer;
    private final List<NodeId> sources;
    private final Replica replica;
    private final Durability durability;
    private final Transport transport;
    private final Scheduler scheduler;
    private final SourceStatus status;
    private final Settings settings;
    private final Consumer<Integer> onComplete;

    /** Sources after the first that streamed the whole partition (rule 2), by index. */
    private final boolean[] streamedAll;

    /** Sources given up in this round, by index. */
    private final boolean[] givenUp;

    /** How far each source has streamed, by index. */
    private final Cursor[] cursors;

    /** Whether a page of the first source's current pass from the start came partial (no rule 1 then). */
    private boolean firstPassPartial;

    private State state = State.NEW;
    private int source = -1;
    private long nextRequest;
    private long firstRequestAtCursor;
    private int timeoutsInRow;
    private Scheduler.Cancellable timer;
    private long lastAppliedSequence;
    private long bytesReceived;
    private long recordsReceived;

    public PartitionStream(
            long streamId,
            Transfer transfer,
            NodeId self,
            Replica replica,
            Durability durability,
            Transport transport,
            Scheduler scheduler,
            SourceStatus status,
            Settings settings,
            Consumer<Integer> onComplete) {
        if (!transfer.target().equals(self)) {
            throw new IllegalArgumentException("transfer of partition " + transfer.partition() + " is for "
                    + transfer.target() + ", not this node " + self);
        }
        this.streamId = streamId;
        this.transfer = transfer;
        this.sources = transfer.sources();
        this.replica = replica;
        this.durability = durability;
        this.transport = transport;
        this.scheduler = scheduler;
        this.status = status;
        this.settings = settings;
        this.onComplete = onComplete;
        this.streamedAll = new boolean[sources.size()];
        this.givenUp = new boolean[sources.size()];
        this.cursors = new Cursor[sources.size()];
        Arrays.fill(cursors, Cursor.START);
    }

    /** Asks the first source for the first page (or moves on at once if it is down). */
    public void start() {
        if (state != State.NEW) {
            throw new IllegalStateException("stream of partition " + partition() + " already started: " + state);
        }
        startRound();
    }

    /** Handles a page; anything that does not answer the outstanding request is ignored. */
    public void onPage(NodeId from, StreamPage page) {
        if (state != State.STREAMING
                || !from.equals(sources.get(source))
                || page.partition() != partition()
                || !answersOutstanding(page.streamId())) {
            return;
        }
        cancelTimer();
        timeoutsInRow = 0;
        firstRequestAtCursor = nextRequest; // every other answer at this cursor is stale from now on
        for (PartitionRecord r : page.records()) {
            long sequence = replica.apply(new KeyRef(partition(), r.table(), r.key()), r.value());
            lastAppliedSequence = Math.max(lastAppliedSequence, sequence);
            bytesReceived += StreamCodecs.recordBytes(r);
            recordsReceived++;
        }
        if (source == 0 && page.partial()) {
            firstPassPartial = true;
        }
        if (!page.last()) {
            PartitionRecord last = page.records().get(page.records().size() - 1);
            cursors[source] = new Cursor(last.table(), last.key());
            sendRequest();
        } else if (source == 0 && !firstPassPartial) {
            complete(); // rule 1
        } else if (source == 0) {
            // The first source was itself still streaming: what it sent is applied, but it cannot
            // vouch for the whole partition. Try the others' union; a later round asks it again
            // from the start, when it may hold everything.
            cursors[0] = Cursor.START;
            firstPassPartial = false;
            givenUp[0] = true;
            nextSource();
        } else {
            streamedAll[source] = true;
            nextSource();
        }
    }

    /** Stops the stream: no more requests, timers cancelled, {@code onComplete} never runs. */
    public void cancel() {
        if (state == State.DONE) {
            return;
        }
        state = State.CANCELLED;
        cancelTimer();
    }

    public int partition() {
        return transfer.partition();
    }

    public long streamId() {
        return streamId;
    }

    public State state() {
        return state;
    }

    /** The bytes of records received and applied, in wire size ({@link StreamCodecs#recordBytes}). */
    public long bytesReceived() {
        return bytesReceived;
    }

    public long recordsReceived() {
        return recordsReceived;
    }

    private void startRound() {
        timer = null;
        Arrays.fill(givenUp, false);
        streamFrom(0);
    }

    /** Streams the rest of the partition from source {@code index}, from where it stopped. */
    private void streamFrom(int index) {
        state = State.STREAMING;
        source = index;
        timeoutsInRow = 0;
        firstRequestAtCursor = nextRequest;
        sendRequest();
    }

    private void sendRequest() {
        NodeId to = sources.get(source);
        if (!status.isUp(to)) {
            giveUp();
            return;
        }
        long requestId = streamId + (nextRequest++ & (REQUEST_IDS_PER_STREAM - 1));
        timer = scheduler.schedule(settings.requestTimeoutNanos(), this::onTimeout);
        Cursor at = cursors[source];
        transport.send(to, new StreamRequest(requestId, partition(), at.table(), at.key(), settings.pageBytes()));
    }

    private void onTimeout() {
        timer = null;
        timeoutsInRow++;
        if (timeoutsInRow >= settings.maxAttemptsPerSource()) {
            giveUp();
        } else {
            sendRequest(); // the same cursor; the first request's page is still welcome
        }
    }

    private void giveUp() {
        cancelTimer();
        givenUp[source] = true;
        nextSource();
    }

    /**
     * Rules 2 and 3: the next source after the first that has neither streamed everything nor
     * failed; complete when the others together hold everything that can still be had.
     */
    private void nextSource() {
        boolean firstLeft = status.hasLeft(sources.get(0));
        boolean unionComplete = sources.size() > 1 || firstLeft;
        for (int i = 1; i < sources.size(); i++) {
            if (!streamedAll[i] && !givenUp[i]) {
                streamFrom(i);
                return;
            }
            unionComplete &= streamedAll[i] || (firstLeft && status.hasLeft(sources.get(i)));
        }
        if (unionComplete) {
            complete();
        } else {
            state = State.WAITING_TO_RETRY;
            source = -1;
            timer = scheduler.schedule(settings.retryDelayNanos(), this::startRound);
        }
    }

    private void complete() {
        cancelTimer();
        state = State.SYNCING;
        durability.whenDurable(
                lastAppliedSequence,
                () -> {
                    if (state == State.SYNCING) {
                        state = State.DONE;
                        onComplete.accept(partition());
                    }
                },
                failure -> {
                    if (state == State.SYNCING) {
                        // The disk refused the writes (full): they are kept and retried; ask again later.
                        timer = scheduler.schedule(settings.retryDelayNanos(), this::complete);
                    }
                });
    }

    /**
     * Whether request id {@code id} is one of those sent at the current cursor, from {@code
     * firstRequestAtCursor} to the last one sent; these few all ask the same question.
     */
    private boolean answersOutstanding(long id) {
        long offset = id - streamId;
        if (Long.compareUnsigned(offset, REQUEST_IDS_PER_STREAM) >= 0) {
            return false;
        }
        long sinceFirst = Math.floorMod(offset - firstRequestAtCursor, REQUEST_IDS_PER_STREAM);
        return sinceFirst < nextRequest - firstRequestAtCursor;
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }
}
