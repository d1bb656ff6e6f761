package io.dynakv.replication.rebalance;

import io.dynakv.cluster.ring.Transfer;
import io.dynakv.common.NodeId;
import io.dynakv.common.Scheduler;
import io.dynakv.common.message.Message;
import io.dynakv.common.message.Transport;
import io.dynakv.replication.replica.Durability;
import io.dynakv.replication.replica.Replica;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The partition streams of one event loop: runs at most {@code maxConcurrent} {@link
 * PartitionStream}s at once, in the order their transfers were given, and queues the rest, so a
 * join that moves many partitions does not flood the sources or this node's disk. While a
 * partition is pending or streaming ({@link #isStreaming}) this replica does not hold it all yet,
 * and the node must not serve replica reads of it from here.
 *
 * <p>Stream ids count up from {@code idBase} in blocks of {@link
 * PartitionStream#REQUEST_IDS_PER_STREAM}, one block per stream started, so a late page of a
 * cancelled or finished stream never matches a newer stream of the same partition. The node puts
 * its loop index in the top 16 bits of {@code idBase}, which leaves 2^24 streams per loop before
 * the ids of two loops could meet.
 */
public final class PartitionStreams {

    private final NodeId self;
    private final Replica replica;
    private final Durability durability;
    private final Transport transport;
    private final Scheduler scheduler;
    private final SourceStatus status;
    private final PartitionStream.Settings settings;
    private final int maxConcurrent;
    private final Consumer<Integer> onComplete;

    private final ArrayDeque<Transfer> pending = new ArrayDeque<>();
    private final Map<Integer, PartitionStream> running = new HashMap<>();
    private long nextStreamId;
    private long completed;
    private long bytesOfEnded;
    private long recordsOfEnded;

    /**
     * @param onComplete told each partition once its stream is complete and durable, so the node
     *     can start serving its reads here
     */
    public PartitionStreams(
            long idBase,
            int maxConcurrent,
            NodeId self,
            Replica replica,
            Durability durability,
            Transport transport,
            Scheduler scheduler,
            SourceStatus status,
            PartitionStream.Settings settings,
            Consumer<Integer> onComplete) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent must be positive: " + maxConcurrent);
        }
        this.nextStreamId = idBase;
        this.maxConcurrent = maxConcurrent;
        this.self = self;
        this.replica = replica;
        this.durability = durability;
        this.transport = transport;
        this.scheduler = scheduler;
        this.status = status;
        this.settings = settings;
        this.onComplete = onComplete;
    }

    /**
     * Queues {@code transfers} (each must target this node) and starts as many as the cap allows. A
     * partition already pending or streaming is skipped: to stream it from other sources, {@link
     * #cancel} it first.
     */
    public void start(List<Transfer> transfers) {
        for (Transfer t : transfers) {
            if (!t.target().equals(self)) {
                throw new IllegalArgumentException("transfer of partition " + t.partition() + " targets " + t.target()
                        + ", not this node " + self);
            }
        }
        for (Transfer t : transfers) {
            if (!isStreaming(t.partition())) {
                pending.addLast(t);
            }
        }
        launch();
    }

    /** True while {@code partition} is pending or streaming: its replica reads must not be served here. */
    public boolean isStreaming(int partition) {
        return running.containsKey(partition) || pending.stream().anyMatch(t -> t.partition() == partition);
    }

    /** Routes a {@link StreamPage} to its partition's stream (ignored if none); false for other messages. */
    public boolean onMessage(NodeId from, Message message) {
        if (!(message instanceof StreamPage page)) {
            return false;
        }
        PartitionStream stream = running.get(page.partition());
        if (stream != null) {
            stream.onPage(from, page);
        }
        return true;
    }

    /** Stops streaming {@code partition}, pending or running; returns whether it was. */
    public boolean cancel(int partition) {
        PartitionStream stream = running.remove(partition);
        if (stream != null) {
            stream.cancel();
            ended(stream);
            launch();
            return true;
        }
        return pending.removeIf(t -> t.partition() == partition);
    }

    public int pendingCount() {
        return pending.size();
    }

    public int runningCount() {
        return running.size();
    }

    /** Partitions streamed completely (and durably) since this manager was made. */
    public long completedCount() {
        return completed;
    }

    /** Bytes of records received by every stream, finished or not, for throughput reporting. */
    public long bytesReceived() {
        return bytesOfEnded
                + running.values().stream()
                        .mapToLong(PartitionStream::bytesReceived)
                        .sum();
    }

    public long recordsReceived() {
        return recordsOfEnded
                + running.values().stream()
                        .mapToLong(PartitionStream::recordsReceived)
                        .sum();
    }

    private void launch() {
        while (running.size() < maxConcurrent && !pending.isEmpty()) {
            Transfer t = pending.removeFirst();
            PartitionStream stream = new PartitionStream(
                    nextStreamId,
                    t,
                    self,
                    replica,
                    durability,
                    transport,
                    scheduler,
                    status,
                    settings,
                    this::onStreamComplete);
            nextStreamId += PartitionStream.REQUEST_IDS_PER_STREAM;
            running.put(t.partition(), stream);
            stream.start();
        }
    }

    private void onStreamComplete(int partition) {
        PartitionStream stream = running.remove(partition);
        if (stream == null) {
            throw new IllegalStateException("partition " + partition + " completed but is not streaming");
        }
        completed++;
        ended(stream);
        onComplete.accept(partition);
        launch();
    }

    private void ended(PartitionStream stream) {
        bytesOfEnded += stream.bytesReceived();
        recordsOfEnded += stream.recordsReceived();
    }
}
