package io.dynakv.replication.rebalance;

import io.dynakv.common.NodeId;
import io.dynakv.common.message.Message;
import io.dynakv.common.message.Transport;
import io.dynakv.storage.PartitionRecord;
import io.dynakv.storage.StorageEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * The source's side of partition streaming: answers each {@link StreamRequest} with one {@link
 * StreamPage} scanned from its own storage. It keeps no state between requests (the cursor travels
 * in the request), so a lost, repeated or reordered request costs one scan and nothing else, and
 * a puller that switches sources or starts over needs nothing from this side.
 *
 * <p>A page holds the records after the cursor, in storage order, until the next one would take it
 * over the request's {@code maxBytes} (capped at {@link #MAX_PAGE_BYTES}) or it holds {@code
 * maxRecordsPerPage}; it always holds at least one record when any is left, so a record larger
 * than the page still travels. Storage is scanned in chunks sized from the records seen so far
 * (one more than the average says would fit), so a page of large values reads about one record
 * more than it sends, not a fixed batch of them.
 *
 * <p>Like any partition scan it may miss the source's newest writes not yet synced ({@link
 * StorageEngine#scanPartition}); during a ring change writes also go to the target directly. The
 * puller waits for its own durability, not the source's, before it counts the partition as held.
 */
public final class PartitionStreamServer {

    /** The largest page served whatever the request asks: bounds the memory a request can cost. */
    public static final int MAX_PAGE_BYTES = 8 << 20;

    /**
     * Records read by a page's first scan, before any size is known: one, because a value may be
     * 16 MiB, and every later scan is sized from what the page has seen.
     */
    static final int FIRST_SCAN_RECORDS = 1;

    private final StorageEngine storage;
    private final Transport transport;
    private final int maxRecordsPerPage;
    private final IntPredicate incomplete;

    /**
     * @param incomplete whether this node is itself still streaming a partition in; its pages of
     *     such a partition are marked partial ({@link StreamPage#partial})
     */
    public PartitionStreamServer(
            StorageEngine storage, Transport transport, int maxRecordsPerPage, IntPredicate incomplete) {
        if (maxRecordsPerPage < 1) {
            throw new IllegalArgumentException("maxRecordsPerPage must be positive: " + maxRecordsPerPage);
        }
        this.storage = storage;
        this.transport = transport;
        this.maxRecordsPerPage = maxRecordsPerPage;
        this.incomplete = incomplete;
    }

    /** Serves a {@link StreamRequest}, replying to {@code from}; returns false for any other message. */
    public boolean onMessage(NodeId from, Message message) {
        if (!(message instanceof StreamRequest request)) {
            return false;
        }
        // Asked before the scan: a partition that completes meanwhile is under-claimed, never over-claimed.
        transport.send(from, page(request, incomplete.test(request.partition())));
        return true;
    }

    private StreamPage page(StreamRequest request, boolean partial) {
        long maxBytes = Math.min(request.maxBytes(), MAX_PAGE_BYTES);
        List<PartitionRecord> page = new ArrayList<>();
        long pageBytes = 0;
        String afterTable = request.fromStart() ? null : request.afterTable();
        byte[] afterKey = request.fromStart() ? null : request.afterKey();
        int limit = FIRST_SCAN_RECORDS;
        while (true) {
            List<PartitionRecord> scanned = storage.scanPartition(request.partition(), afterTable, afterKey, limit);
            for (PartitionRecord r : scanned) {
                long bytes = StreamCodecs.recordBytes(r);
                if (!page.isEmpty() && pageBytes + bytes > maxBytes) {
                    return new StreamPage(request.streamId(), request.partition(), page, false, partial);
                }
                page.add(r);
                pageBytes += bytes;
            }
            if (scanned.size() < limit) {
                return new StreamPage(request.streamId(), request.partition(), page, true, partial);
            }
            if (page.size() == maxRecordsPerPage) {
                // Possibly the partition's last record: the next request then gets an empty last page.
                return new StreamPage(request.streamId(), request.partition(), page, false, partial);
            }
            PartitionRecord last = page.get(page.size() - 1);
            afterTable = last.table();
            afterKey = last.key();
            long averageBytes = Math.max(1, pageBytes / page.size());
            long fits = (maxBytes - pageBytes) / averageBytes + 1;
            limit = (int) Math.min(maxRecordsPerPage - page.size(), fits);
        }
    }
}
