package io.dynakv.replication.rebalance;

import io.dynakv.common.message.Message;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Asks a source for the next page of {@code partition}: the records that sort after the cursor
 * {@code (afterTable, afterKey)} in storage order, up to about {@code maxBytes}. An empty {@code
 * afterTable} (with an empty key) is the start of the partition. {@code streamId} identifies this
 * request; the source echoes it in its {@link StreamPage}, so the puller can tell which request a
 * page answers. The key array is shared, not copied: treat it as read-only.
 */
public record StreamRequest(long streamId, int partition, String afterTable, byte[] afterKey, int maxBytes)
        implements Message {

    private static final int MAX_PARTITION = 0xFFFF;

    public StreamRequest {
        if (partition < 0 || partition > MAX_PARTITION) {
            throw new IllegalArgumentException("partition " + partition + " does not fit 16 bits");
        }
        if (afterTable == null || afterKey == null) {
            throw new IllegalArgumentException("the cursor's table and key must not be null");
        }
        if (afterTable.isEmpty() && afterKey.length > 0) {
            // Two encodings of "from the start" would make one request decode as another.
            throw new IllegalArgumentException("a cursor at the start of the partition has no key");
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
    }

    /** A request for the first page of the partition. */
    public static StreamRequest fromStart(long streamId, int partition, int maxBytes) {
        return new StreamRequest(streamId, partition, "", new byte[0], maxBytes);
    }

    public boolean fromStart() {
        return afterTable.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamRequest r
                && streamId == r.streamId
                && partition == r.partition
                && afterTable.equals(r.afterTable)
                && Arrays.equals(afterKey, r.afterKey)
                && maxBytes == r.maxBytes;
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(streamId);
        h = 31 * h + partition;
        h = 31 * h + afterTable.hashCode();
        h = 31 * h + Arrays.hashCode(afterKey);
        return 31 * h + maxBytes;
    }

    @Override
    public String toString() {
        return "StreamRequest{stream=" + Long.toHexString(streamId) + " p" + partition + " after=" + afterTable + "/"
                + HexFormat.of().formatHex(afterKey) + " maxBytes=" + maxBytes + "}";
    }
}
