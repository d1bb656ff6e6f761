package io.dynakv.storage;

import io.dynakv.common.Versioned;
import java.util.Arrays;

/** One record returned by a scan: the key (without partition and table) and its version. */
public record StoredRecord(byte[] key, Versioned value) {

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredRecord r && Arrays.equals(key, r.key) && value.equals(r.value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + value.hashCode();
    }

    @Override
    public String toString() {
        return "StoredRecord{key=" + Arrays.toString(key) + ", value=" + value + "}";
    }
}
