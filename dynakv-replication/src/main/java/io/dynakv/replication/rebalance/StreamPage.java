package io.dynakv.replication.rebalance;

import io.dynakv.common.message.Message;
import io.dynakv.storage.PartitionRecord;
import java.util.List;

/**
 * A source's answer to the {@link StreamRequest} with the same {@code streamId}: the next records of
 * {@code partition} after the request's cursor, contiguous and in storage order. {@code last} says
 * the scan reached the end of the partition, so these records complete it. A page that is not the
 * last one holds at least one record (its last record is the next cursor). {@code partial} says the
 * source is itself still streaming the partition in: it may not hold every acknowledged write yet,
 * so it cannot stand in for the replica the puller replaces ({@link PartitionStream}'s rule 1).
 */
public record StreamPage(long streamId, int partition, List<PartitionRecord> records, boolean last, boolean partial)
        implements Message {

    private static final int MAX_PARTITION = 0xFFFF;

    public StreamPage {
        if (partition < 0 || partition > MAX_PARTITION) {
            throw new IllegalArgumentException("partition " + partition + " does not fit 16 bits");
        }
        records = List.copyOf(records);
        if (records.isEmpty() && !last) {
            // It would leave the puller without a next cursor, asking the same question forever.
            throw new IllegalArgumentException("a page that is not the last must hold a record");
        }
    }

    /** A page from a source that holds all of the partition. */
    public StreamPage(long streamId, int partition, List<PartitionRecord> records, boolean last) {
        this(streamId, partition, records, last, false);
    }

    @Override
    public String toString() {
        return "StreamPage{stream=" + Long.toHexString(streamId) + " p" + partition + " records=" + records.size()
                + (last ? " last" : "") + (partial ? " partial" : "") + "}";
    }
}
