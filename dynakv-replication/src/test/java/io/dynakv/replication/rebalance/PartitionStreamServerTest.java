package io.dynakv.replication.rebalance;

import static io.dynakv.replication.rebalance.StreamFixtures.A;
import static io.dynakv.replication.rebalance.StreamFixtures.OTHER_PARTITION;
import static io.dynakv.replication.rebalance.StreamFixtures.PARTITION;
import static io.dynakv.replication.rebalance.StreamFixtures.T;
import static io.dynakv.replication.rebalance.StreamFixtures.all;
import static io.dynakv.replication.rebalance.StreamFixtures.fill;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.common.NodeId;
import io.dynakv.common.ValueKind;
import io.dynakv.common.VersionVector;
import io.dynakv.common.Versioned;
import io.dynakv.common.codec.MessageCodec;
import io.dynakv.common.message.Message;
import io.dynakv.storage.ForwardingStorageEngine;
import io.dynakv.storage.InMemoryStorageEngine;
import io.dynakv.storage.PartitionRecord;
import io.dynakv.storage.StorageEngine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The source's pages: walking a partition page by page yields exactly its records, in order, once
 * each; every page stays within the requested bytes and records (a record larger than a page
 * travels alone); and the scans behind a page read little more than the page holds.
 */
class PartitionStreamServerTest {

    private static final MessageCodec CODEC = StreamCodecs.register(new MessageCodec());

    /** Bytes a page frame adds around its records: header, ids, flags, count, checksum. */
    private static final int PAGE_OVERHEAD_BYTES = 32;

    private final List<Message> replies = new ArrayList<>();

    private StreamPage ask(PartitionStreamServer server, StreamRequest request) {
        assertThat(server.onMessage(T, request)).isTrue();
        assertThat(replies).hasSize(1);
        return (StreamPage) replies.remove(0);
    }

    /** All pages of {@code partition}, each asked from the previous page's last record. */
    private List<StreamPage> walk(PartitionStreamServer server, int partition, int maxBytes) {
        List<StreamPage> pages = new ArrayList<>();
        StreamRequest request = StreamRequest.fromStart(1, partition, maxBytes);
        while (true) {
            StreamPage page = ask(server, request);
            assertThat(page.streamId()).isEqualTo(request.streamId());
            assertThat(page.partition()).isEqualTo(partition);
            pages.add(page);
            if (page.last()) {
                return pages;
            }
            PartitionRecord last = page.records().get(page.records().size() - 1);
            request = new StreamRequest(request.streamId() + 1, partition, last.table(), last.key(), maxBytes);
        }
    }

    private static long bytes(List<PartitionRecord> records) {
        return records.stream().mapToLong(StreamCodecs::recordBytes).sum();
    }

    @Property(tries = 40)
    void pagesCoverThePartitionOnceAndRespectTheirLimits(
            @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 600) int records,
            @ForAll @IntRange(min = 1, max = 8_000) int maxBytes,
            @ForAll @IntRange(min = 1, max = 40) int maxRecords) {
        InMemoryStorageEngine storage = new InMemoryStorageEngine();
        SplittableRandom random = new SplittableRandom(seed);
        fill(storage, PARTITION, "k", records, random);
        fill(storage, OTHER_PARTITION, "noise", 20, random);
        PartitionStreamServer server =
                new PartitionStreamServer(storage, (to, m) -> replies.add(m), maxRecords, p -> false);

        List<StreamPage> pages = walk(server, PARTITION, maxBytes);

        List<PartitionRecord> streamed = new ArrayList<>();
        for (StreamPage page : pages) {
            streamed.addAll(page.records());
            assertThat(page.records().size()).isBetween(page.last() ? 0 : 1, maxRecords);
            if (page.records().size() > 1) {
                assertThat(bytes(page.records())).isLessThanOrEqualTo(maxBytes);
                assertThat(CODEC.encode(page).length).isLessThanOrEqualTo(maxBytes + PAGE_OVERHEAD_BYTES);
            }
        }
        assertThat(streamed).isEqualTo(all(storage, PARTITION));
        assertThat(pages.subList(0, pages.size() - 1)).noneMatch(StreamPage::last);
    }

    @Test
    void aRecordLargerThanThePageTravelsAlone() {
        InMemoryStorageEngine storage = new InMemoryStorageEngine();
        storage.put(PARTITION, "t", key("a"), version(10));
        storage.put(PARTITION, "t", key("b"), version(5_000));
        storage.put(PARTITION, "t", key("c"), version(10));
        PartitionStreamServer server = new PartitionStreamServer(storage, (to, m) -> replies.add(m), 100, p -> false);

        List<StreamPage> pages = walk(server, PARTITION, 1_000);

        assertThat(pages).extracting(p -> p.records().size()).containsExactly(1, 1, 1);
        assertThat(pages.get(1).records().get(0).value().value()).hasSize(5_000);
        assertThat(pages).extracting(StreamPage::last).containsExactly(false, false, true);
    }

    @Test
    void anEmptyPartitionIsOneEmptyLastPage() {
        InMemoryStorageEngine storage = new InMemoryStorageEngine();
        storage.put(OTHER_PARTITION, "t", key("a"), version(10));
        PartitionStreamServer server = new PartitionStreamServer(storage, (to, m) -> replies.add(m), 100, p -> false);

        assertThat(walk(server, PARTITION, 1_000)).containsExactly(new StreamPage(1, PARTITION, List.of(), true));
    }

    @Test
    void aHugeRequestIsCappedAtTheMaximumPage() {
        InMemoryStorageEngine storage = new InMemoryStorageEngine();
        for (int i = 0; i < 40; i++) {
            storage.put(PARTITION, "t", key("k" + i), version(512 << 10));
        }
        PartitionStreamServer server = new PartitionStreamServer(storage, (to, m) -> replies.add(m), 1_000, p -> false);

        StreamPage page = ask(server, StreamRequest.fromStart(1, PARTITION, Integer.MAX_VALUE));

        assertThat(bytes(page.records())).isLessThanOrEqualTo(PartitionStreamServer.MAX_PAGE_BYTES);
        assertThat(page.records()).hasSize(15);
        assertThat(page.last()).isFalse();
    }

    /** Scans are sized from the records seen, so large values are not read by the hundred. */
    @Test
    void scansReadLittleMoreThanThePageHolds() {
        InMemoryStorageEngine data = new InMemoryStorageEngine();
        for (int i = 0; i < 200; i++) {
            data.put(PARTITION, "t", key(String.format(Locale.ROOT, "k%03d", i)), version(64 << 10));
        }
        int[] scanned = {0};
        StorageEngine counting = new ForwardingStorageEngine(data) {
            @Override
            public List<PartitionRecord> scanPartition(int partition, String afterTable, byte[] afterKey, int limit) {
                List<PartitionRecord> out = super.scanPartition(partition, afterTable, afterKey, limit);
                scanned[0] += out.size();
                return out;
            }
        };
        PartitionStreamServer server =
                new PartitionStreamServer(counting, (to, m) -> replies.add(m), 1_000, p -> false);

        List<StreamPage> pages = walk(server, PARTITION, 256 << 10);

        assertThat(pages.stream().mapToInt(p -> p.records().size()).sum()).isEqualTo(200);
        assertThat(scanned[0]).isLessThanOrEqualTo(200 + 2 * pages.size());
        assertThat(pages).hasSizeGreaterThan(50); // three records a page
    }

    @Test
    void otherMessagesAreNotServed() {
        PartitionStreamServer server =
                new PartitionStreamServer(new InMemoryStorageEngine(), (to, m) -> replies.add(m), 10, p -> false);

        assertThat(server.onMessage(A, new StreamPage(1, PARTITION, List.of(), true)))
                .isFalse();
        assertThat(replies).isEmpty();
    }

    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Versioned version(int valueBytes) {
        return new Versioned(
                VersionVector.of(Map.of(new NodeId(1), 1L)), 1, new NodeId(1), ValueKind.BYTES, new byte[valueBytes]);
    }
}
