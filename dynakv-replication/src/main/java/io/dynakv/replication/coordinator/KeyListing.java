package io.dynakv.replication.coordinator;

import io.dynakv.common.codec.ByteReader;
import io.dynakv.common.codec.ByteWriter;
import io.dynakv.storage.StorageEngine;
import io.dynakv.storage.StoredRecord;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Lists a table's live keys page by page, partition after partition: keys come in partition order,
 * then byte order within a partition (hash order, as a DynamoDB scan; a sorted global order would
 * cost a merge of every partition on every page). The cursor names where the last page stopped, so
 * paging is stable under concurrent writes: every key present for the whole listing is returned
 * exactly once. Each page scans a bounded number of records, tombstones included, so a table full
 * of deletes cannot make one request scan everything; such a page may be short, with a cursor.
 */
public final class KeyListing {

    /** One page of keys, and the cursor for the next page if there may be one. */
    public record Page(List<byte[]> keys, Optional<Cursor> next) {}

    /** Where a listing resumes: after {@code afterKey} in {@code partition} (null: from its start). */
    public record Cursor(int partition, byte[] afterKey) {

        public String toToken() {
            ByteWriter out = new ByteWriter(8 + (afterKey == null ? 0 : afterKey.length));
            out.writeShort(partition).writeByte(afterKey == null ? 0 : 1);
            if (afterKey != null) {
                out.writeBytes(afterKey);
            }
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out.toByteArray());
        }

        /** Parses a client's cursor; empty when it is not one this listing issued. */
        public static Optional<Cursor> parse(String token, int partitions) {
            try {
                ByteReader in = new ByteReader(Base64.getUrlDecoder().decode(token));
                int partition = in.readShort();
                int hasKey = in.readByte();
                if (partition >= partitions || hasKey > 1) {
                    return Optional.empty();
                }
                return Optional.of(new Cursor(partition, hasKey == 1 ? in.readRest() : null));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
    }

    private KeyListing() {}

    public static Page list(
            StorageEngine storage,
            int partitions,
            String table,
            byte[] prefix,
            Optional<Cursor> from,
            int limit,
            int scanBudget) {
        List<byte[]> keys = new ArrayList<>(limit);
        int partition = from.map(Cursor::partition).orElse(0);
        byte[] after = from.map(Cursor::afterKey).orElse(null);
        int budget = scanBudget;
        while (partition < partitions) {
            int want = Math.min(limit - keys.size(), budget);
            List<StoredRecord> records = storage.scan(partition, table, prefix, after, want);
            for (StoredRecord record : records) {
                if (!record.value().isTombstone()) {
                    keys.add(record.key());
                }
                after = record.key();
            }
            budget -= records.size();
            if (records.size() == want && (keys.size() == limit || budget == 0)) {
                return new Page(keys, Optional.of(new Cursor(partition, after)));
            }
            if (records.size() < want) {
                partition++; // this partition is exhausted
                after = null;
            }
        }
        return new Page(keys, Optional.empty());
    }
}
