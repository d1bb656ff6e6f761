package io.dynakv.storage;

import io.dynakv.common.Versioned;
import java.util.Arrays;

/** One record found by a partition-wide scan: its table, key and version. */
public record PartitionRecord(String table, byte[] key, Versioned value) {

    @Override
    public boolean equals(Object o) {
        return o instanceof PartitionRecord r
                && table.equals(r.table)
                && Arrays.equals(key, r.key)
                && value.equals(r.value);
    }

    @Override
    public int hashCode() {
        return (31 * table.hashCode() + Arrays.hashCode(key)) * 31 + value.hashCode();
    }

    @Override
    public String toString() {
        return "PartitionRecord{" + table + "/" + Arrays.toString(key) + ", " + value + "}";
    }
}
