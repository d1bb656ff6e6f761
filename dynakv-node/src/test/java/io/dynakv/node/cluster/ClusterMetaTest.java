package io.dynakv.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.cluster.ring.PartitionTable;
import io.dynakv.cluster.ring.Transfer;
import io.dynakv.common.NodeId;
import io.dynakv.storage.InMemoryStorageEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a node keeps of its cluster across restarts: table, incarnation, peers, streams. */
class ClusterMetaTest {

    private static final NodeId A = new NodeId(0x0aL);
    private static final NodeId B = new NodeId(0x0bL);
    private static final NodeId C = new NodeId(0x0cL);
    /** An id with the top bit set: ids are unsigned 64-bit numbers. */
    private static final NodeId HIGH = new NodeId(0xfedc_ba98_7654_3210L);

    private final InMemoryStorageEngine storage = new InMemoryStorageEngine();
    private final ClusterMeta meta = new ClusterMeta(storage, Runnable::run);

    @Test
    void aFreshStorageGivesTheDefaults() {
        assertThat(meta.table()).isEmpty();
        assertThat(meta.incarnation()).isZero();
        assertThat(meta.peers()).isEmpty();
        assertThat(meta.streaming(A)).isEmpty();
    }

    @Test
    void tableRoundTrips() {
        PartitionTable table = PartitionTable.initial(Set.of(A, B, HIGH), 64, 2);
        meta.saveTable(table);
        assertThat(meta.table()).hasValue(table);

        PartitionTable next = table.rebalance(Set.of(A, B, C, HIGH));
        meta.saveTable(next);
        assertThat(meta.table()).hasValue(next);
        assertThat(meta.table().orElseThrow().epoch()).isEqualTo(table.epoch() + 1);
    }

    @Test
    void incarnationRoundTrips() {
        meta.saveIncarnation(1);
        assertThat(meta.incarnation()).isEqualTo(1);
        meta.saveIncarnation(Long.MAX_VALUE);
        assertThat(meta.incarnation()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void peersRoundTripInOrder() {
        List<String> peers = List.of(
                "10.0.0.2:6660|10.0.0.2:16660", "[::1]:6661|[::1]:16661", "n\u00e9ud.example:1|n\u00e9ud.example:2");
        meta.savePeers(peers);
        assertThat(meta.peers()).isEqualTo(peers);

        meta.savePeers(List.of());
        assertThat(meta.peers()).isEmpty();
    }

    @Test
    void savedStateSurvivesANewMetaOverTheSameStorage() {
        PartitionTable table = PartitionTable.initial(A, 8, 3);
        meta.saveTable(table);
        meta.saveIncarnation(42);
        meta.savePeers(List.of("h:1|h:2"));
        meta.saveStreaming(List.of(new Transfer(3, List.of(B), A)));

        ClusterMeta restarted = new ClusterMeta(storage, Runnable::run);
        assertThat(restarted.table()).hasValue(table);
        assertThat(restarted.incarnation()).isEqualTo(42);
        assertThat(restarted.peers()).containsExactly("h:1|h:2");
        assertThat(restarted.streaming(A)).containsExactly(new Transfer(3, List.of(B), A));
    }

    @Test
    void streamingTransfersRoundTripWithTheirSourcesInOrder() {
        List<Transfer> transfers = List.of(
                new Transfer(0, List.of(Rebalancer.UNKNOWN_PREDECESSOR, B, C), A),
                new Transfer(7, List.of(C, HIGH), A),
                new Transfer(65_535, List.of(HIGH), A)); // the highest partition of --partitions 65536
        meta.saveStreaming(transfers);
        assertThat(meta.streaming(A)).isEqualTo(transfers);

        meta.saveStreaming(List.of());
        assertThat(meta.streaming(A)).isEmpty();
    }

    @Test
    void streamingKeepsTheFirst255Sources() {
        List<NodeId> sources = new ArrayList<>();
        for (long i = 1; i <= 300; i++) {
            sources.add(new NodeId(0x1000 + i));
        }
        meta.saveStreaming(List.of(new Transfer(5, sources, A)));
        List<Transfer> read = meta.streaming(A);
        assertThat(read).hasSize(1);
        assertThat(read.get(0).sources()).isEqualTo(sources.subList(0, 255));
    }

    @Test
    void streamingIsReadBackForTheGivenTarget() {
        // Only a node's own incoming streams are stored, so the target is not: it is the reader.
        meta.saveStreaming(List.of(new Transfer(1, List.of(B), A)));
        assertThat(meta.streaming(C)).containsExactly(new Transfer(1, List.of(B), C));
    }
}
