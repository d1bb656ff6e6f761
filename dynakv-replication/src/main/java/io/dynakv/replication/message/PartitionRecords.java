package io.dynakv.replication.message;

import io.dynakv.common.CorruptRecordException;
import io.dynakv.common.Versioned;
import io.dynakv.common.codec.ByteReader;
import io.dynakv.common.codec.ByteWriter;
import io.dynakv.common.codec.MalformedFrameException;
import io.dynakv.common.codec.WireStrings;
import io.dynakv.storage.PartitionRecord;
import io.dynakv.storage.StorageKeys;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire form of a list of stored records, shared by the protocols that ship them (anti-entropy
 * buckets, partition streams): {@code [count:varint]} then per record {@code [table:string][key:
 * varint length, bytes][version: varint length, Versioned.encode()]}. The count is checked against
 * the fewest bytes a record can take before anything is allocated.
 */
public final class PartitionRecords {

    /** The smallest encoded record: 1-byte table, empty key, and a length byte plus 3 of version. */
    static final int MIN_RECORD_BYTES = 5;

    private PartitionRecords() {}

    /**
     * @param minKeyBytes 0 where empty keys may travel, 1 where the protocol refuses them (a sender
     *     that breaks this fails at once, so every frame decodes back to the message it came from)
     */
    public static void write(ByteWriter out, List<PartitionRecord> records, int minKeyBytes) {
        out.writeVarLong(records.size());
        for (PartitionRecord r : records) {
            if (r.table().isEmpty() || r.key().length < minKeyBytes) {
                throw new IllegalArgumentException(
                        "a record needs a table and a key of at least " + minKeyBytes + " bytes: " + r);
            }
            if (r.key().length > ReplicationCodecs.MAX_KEY_BYTES) {
                throw new IllegalArgumentException(
                        "key of " + r.key().length + " bytes exceeds " + ReplicationCodecs.MAX_KEY_BYTES);
            }
            WireStrings.write(out, r.table(), StorageKeys.MAX_TABLE_BYTES, "table name")
                    .writeLengthPrefixed(r.key())
                    .writeLengthPrefixed(r.value().encode());
        }
    }

    public static List<PartitionRecord> read(ByteReader in, int minKeyBytes) {
        long count = in.readVarLong();
        if (count < 0 || count > in.remaining() / MIN_RECORD_BYTES) {
            throw new MalformedFrameException(
                    "record count " + count + " exceeds what the " + in.remaining() + " bytes left can hold");
        }
        List<PartitionRecord> records = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            String table = WireStrings.read(in, 1, StorageKeys.MAX_TABLE_BYTES, "table name");
            byte[] key = WireStrings.readBounded(in, minKeyBytes, ReplicationCodecs.MAX_KEY_BYTES, "key");
            records.add(new PartitionRecord(table, key, readVersion(in)));
        }
        return records;
    }

    /** A length-prefixed {@link Versioned} record; a corrupt one is a malformed frame. */
    public static Versioned readVersion(ByteReader in) {
        byte[] record = in.readLengthPrefixed();
        try {
            return Versioned.decode(record);
        } catch (CorruptRecordException e) {
            throw new MalformedFrameException("bad version record: " + e.getMessage(), e);
        }
    }
}
