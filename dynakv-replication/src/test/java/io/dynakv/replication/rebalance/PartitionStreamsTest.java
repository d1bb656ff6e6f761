package io.dynakv.replication.rebalance;

import static io.dynakv.replication.rebalance.StreamFixtures.A;
import static io.dynakv.replication.rebalance.StreamFixtures.B;
import static io.dynakv.replication.rebalance.StreamFixtures.T;
import static io.dynakv.replication.rebalance.StreamFixtures.all;
import static io.dynakv.replication.rebalance.StreamFixtures.fill;
import static io.dynakv.replication.rebalance.StreamFixtures.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.cluster.ring.Transfer;
import io.dynakv.replication.rebalance.StreamFixtures.Cluster;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The streams of one event loop: never more than {@code maxConcurrent} at once, every partition
 * reported as streaming until it is complete and durable, pages routed by partition, and a
 * cancelled partition silent from then on.
 */
class PartitionStreamsTest {

    private static final long ID_BASE = 3L << 48;
    private static final List<Integer> PARTITIONS = List.of(10, 11, 12, 13, 14);

    private static PartitionStreams manager(Cluster c, int maxConcurrent) {
        PartitionStreams streams = new PartitionStreams(
                ID_BASE,
                maxConcurrent,
                T,
                c.replica,
                c.durability,
                c.net.transport(T),
                c.net,
                c.net,
                settings(4 << 10),
                c.completed::add);
        c.targetHandler = (from, m) -> assertThat(streams.onMessage(from, m)).isTrue();
        return streams;
    }

    private static Cluster clusterWithData() {
        Cluster c = new Cluster(StreamNet.reliable());
        SplittableRandom random = new SplittableRandom(21);
        for (int p : PARTITIONS) {
            fill(c.source(A), p, "k", 300, random);
        }
        return c;
    }

    private static List<Transfer> transfers() {
        return PARTITIONS.stream().map(p -> new Transfer(p, List.of(A, B), T)).toList();
    }

    /** Partitions with a request or a page in flight, or waiting for durability, right now. */
    private static Set<Integer> streamingNow(PartitionStreams streams) {
        Set<Integer> out = new HashSet<>();
        IntStream.range(0, 100).filter(streams::isStreaming).forEach(out::add);
        return out;
    }

    @Test
    void runsAtMostMaxConcurrentAndReportsStreamingUntilDurable() {
        Cluster c = clusterWithData();
        c.durability.holding = true;
        PartitionStreams streams = manager(c, 2);
        Set<Integer> asked = new HashSet<>();
        c.net.dropWhen(s -> {
            if (s.message() instanceof StreamRequest r) {
                asked.add(r.partition());
                Set<Integer> unfinished = new HashSet<>(asked);
                c.completed.forEach(unfinished::remove);
                assertThat(unfinished).hasSizeLessThanOrEqualTo(2);
                assertThat(streams.isStreaming(r.partition())).isTrue();
            }
            return false;
        });

        streams.start(transfers());

        assertThat(streams.runningCount()).isEqualTo(2);
        assertThat(streams.pendingCount()).isEqualTo(3);
        assertThat(streamingNow(streams)).containsExactlyInAnyOrderElementsOf(PARTITIONS);
        while (c.completed.size() < PARTITIONS.size()) {
            c.net.run();
            // Received and applied, but held for durability: still streaming, nothing started.
            assertThat(streamingNow(streams)).hasSize(PARTITIONS.size() - c.completed.size());
            assertThat(streams.runningCount()).isEqualTo(Math.min(2, PARTITIONS.size() - c.completed.size()));
            c.durability.release();
        }

        assertThat(asked).containsExactlyInAnyOrderElementsOf(PARTITIONS);
        assertThat(c.completed).containsExactlyInAnyOrderElementsOf(PARTITIONS);
        assertThat(streamingNow(streams)).isEmpty();
        assertThat(streams.completedCount()).isEqualTo(5);
        assertThat(streams.runningCount() + streams.pendingCount()).isZero();
        assertThat(streams.recordsReceived()).isEqualTo(1_500);
        long bytes = 0;
        for (int p : PARTITIONS) {
            assertThat(all(c.target, p)).isEqualTo(all(c.source(A), p));
            bytes += all(c.source(A), p).stream()
                    .mapToLong(StreamCodecs::recordBytes)
                    .sum();
        }
        assertThat(streams.bytesReceived()).isEqualTo(bytes);
    }

    @Test
    void routesOnlyPagesAndIgnoresPagesOfPartitionsNotStreaming() {
        Cluster c = clusterWithData();
        PartitionStreams streams = manager(c, 2);

        assertThat(streams.onMessage(A, StreamRequest.fromStart(1, 10, 100))).isFalse();
        assertThat(streams.onMessage(A, new StreamPage(ID_BASE, 10, List.of(), true)))
                .isTrue();
        assertThat(streams.completedCount()).isZero();
        assertThat(c.completed).isEmpty();
    }

    @Test
    void streamIdsAreDistinctBlocksAboveTheBase() {
        Cluster c = clusterWithData();
        PartitionStreams streams = manager(c, 5);

        streams.start(transfers());

        List<Long> ids = c.net.sent.stream()
                .map(s -> ((StreamRequest) s.message()).streamId())
                .toList();
        assertThat(ids)
                .containsExactly(
                        ID_BASE,
                        ID_BASE + PartitionStream.REQUEST_IDS_PER_STREAM,
                        ID_BASE + 2 * PartitionStream.REQUEST_IDS_PER_STREAM,
                        ID_BASE + 3 * PartitionStream.REQUEST_IDS_PER_STREAM,
                        ID_BASE + 4 * PartitionStream.REQUEST_IDS_PER_STREAM);
    }

    @Test
    void cancelSilencesAPartitionAndStartsTheNextPending() {
        Cluster c = clusterWithData();
        PartitionStreams streams = manager(c, 2);
        streams.start(transfers());

        assertThat(streams.cancel(10)).isTrue(); // running
        assertThat(streams.cancel(14)).isTrue(); // pending
        assertThat(streams.cancel(99)).isFalse();
        assertThat(streams.isStreaming(10)).isFalse();
        assertThat(streams.isStreaming(14)).isFalse();
        assertThat(streams.runningCount()).isEqualTo(2);
        int sentAtCancel = c.net.sent.size();
        c.net.run();

        assertThat(c.completed).containsExactlyInAnyOrder(11, 12, 13);
        assertThat(c.net.sent.subList(sentAtCancel, c.net.sent.size()))
                .noneMatch(s -> s.message() instanceof StreamRequest r && (r.partition() == 10 || r.partition() == 14));
        assertThat(all(c.target, 14)).isEmpty();
    }

    @Test
    void aPartitionAlreadyStreamingIsNotQueuedTwice() {
        Cluster c = clusterWithData();
        PartitionStreams streams = manager(c, 1);

        streams.start(transfers());
        streams.start(transfers());

        assertThat(streams.runningCount() + streams.pendingCount()).isEqualTo(5);
        c.net.run();
        assertThat(c.completed).containsExactlyInAnyOrderElementsOf(PARTITIONS);
    }

    @Test
    void aTransferForAnotherNodeIsRefused() {
        Cluster c = clusterWithData();
        PartitionStreams streams = manager(c, 1);

        assertThatThrownBy(() -> streams.start(List.of(new Transfer(10, List.of(A), B))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(streams.isStreaming(10)).isFalse();
    }
}
