package io.dynakv.replication.rebalance;

import io.dynakv.common.codec.ByteReader;
import io.dynakv.common.codec.ByteWriter;
import io.dynakv.common.codec.MalformedFrameException;
import io.dynakv.common.codec.MessageCodec;
import io.dynakv.common.codec.WireStrings;
import io.dynakv.replication.message.PartitionRecords;
import io.dynakv.replication.message.ReplicationCodecs;
import io.dynakv.storage.PartitionRecord;
import io.dynakv.storage.StorageKeys;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The binary form of partition streaming, schema version 1 (see {@link MessageCodec} for the frame
 * around it). Type ids {@value #FIRST_TYPE_ID}-{@value #LAST_TYPE_ID} are reserved for it, inside
 * the replication range of {@link ReplicationCodecs}. Never renumber or reuse an id: add a new one.
 *
 * <pre>
 * 120 StreamRequest [streamId:u64][partition:u16][afterTable:string 0-255][afterKey:bytes 0-64Ki][maxBytes:u32]
 * 121 StreamPage    [streamId:u64][partition:u16][flags:u8 bit 0 last, bit 1 partial][count:varint][record]*
 * 122 HandoffDone   [partition:u16]
 *
 * record  = [table:string 1-255][key:bytes 1-64Ki][version]
 * version = [varint length][Versioned.encode(): the storage record, with its own CRC32C]
 * string  = [varint length][UTF-8], decoded strictly; bytes = [varint length][bytes]
 * </pre>
 *
 * Every length is checked against its limit and against what remains of the body before anything
 * is allocated, and the record count against the fewest bytes a record can take, so a hostile
 * count cannot make the decoder reserve a huge list.
 */
public final class StreamCodecs {

    public static final int STREAM_REQUEST = 120;
    public static final int STREAM_PAGE = 121;
    public static final int HANDOFF_DONE = 122;

    /** The range reserved for partition streaming (inclusive). */
    public static final int FIRST_TYPE_ID = 120;

    public static final int LAST_TYPE_ID = 129;

    private StreamCodecs() {}

    /** Registers the streaming kinds with {@code codec}; throws if an id is taken. */
    public static MessageCodec register(MessageCodec codec) {
        return codec.register(
                        STREAM_REQUEST, StreamRequest.class, StreamCodecs::writeRequest, StreamCodecs::readRequest)
                .register(STREAM_PAGE, StreamPage.class, StreamCodecs::writePage, StreamCodecs::readPage)
                .register(
                        HANDOFF_DONE,
                        HandoffDone.class,
                        (m, out) -> out.writeShort(m.partition()),
                        in -> new HandoffDone(in.readShort()));
    }

    /**
     * The bytes {@code record} takes in a page. Sizes pages at the source and counts the stream's
     * progress at the puller, in the same unit as the wire.
     */
    public static long recordBytes(PartitionRecord record) {
        int table = record.table().getBytes(StandardCharsets.UTF_8).length;
        int version = record.value().encode().length;
        return varLongBytes(table)
                + table
                + varLongBytes(record.key().length)
                + record.key().length
                + varLongBytes(version)
                + version;
    }

    private static int varLongBytes(long v) {
        int bytes = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            bytes++;
        }
        return bytes;
    }

    private static void writeRequest(StreamRequest m, ByteWriter out) {
        out.writeLong(m.streamId()).writeShort(m.partition());
        WireStrings.write(out, m.afterTable(), StorageKeys.MAX_TABLE_BYTES, "cursor table");
        writeKey(out, m.afterKey());
        out.writeInt(m.maxBytes());
    }

    private static StreamRequest readRequest(ByteReader in) {
        long streamId = in.readLong();
        int partition = in.readShort();
        String afterTable = WireStrings.read(in, 0, StorageKeys.MAX_TABLE_BYTES, "cursor table");
        byte[] afterKey = WireStrings.readBounded(in, 0, ReplicationCodecs.MAX_KEY_BYTES, "cursor key");
        return new StreamRequest(streamId, partition, afterTable, afterKey, in.readInt());
    }

    private static final int LAST = 1;
    private static final int PARTIAL = 2;

    private static void writePage(StreamPage m, ByteWriter out) {
        out.writeLong(m.streamId())
                .writeShort(m.partition())
                .writeByte((m.last() ? LAST : 0) | (m.partial() ? PARTIAL : 0));
        PartitionRecords.write(out, m.records(), 1);
    }

    private static StreamPage readPage(ByteReader in) {
        long streamId = in.readLong();
        int partition = in.readShort();
        int flags = in.readByte();
        if ((flags & ~(LAST | PARTIAL)) != 0) {
            throw new MalformedFrameException("page flags " + flags + " set bits other than last and partial");
        }
        List<PartitionRecord> records = PartitionRecords.read(in, 1);
        return new StreamPage(streamId, partition, records, (flags & LAST) != 0, (flags & PARTIAL) != 0);
    }

    private static void writeKey(ByteWriter out, byte[] key) {
        if (key.length > ReplicationCodecs.MAX_KEY_BYTES) {
            throw new IllegalArgumentException(
                    "key of " + key.length + " bytes exceeds " + ReplicationCodecs.MAX_KEY_BYTES);
        }
        out.writeLengthPrefixed(key);
    }
}
