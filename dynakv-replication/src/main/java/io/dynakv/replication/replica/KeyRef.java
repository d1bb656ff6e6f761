package io.dynakv.replication.replica;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A key as replication addresses it: its partition (computed once, at the node that received the
 * request), its table and its bytes.
 */
public record KeyRef(int partition, String table, byte[] key) {

    public String keyText() {
        return new String(key, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyRef k && partition == k.partition && table.equals(k.table) && Arrays.equals(key, k.key);
    }

    @Override
    public int hashCode() {
        return (31 * partition + table.hashCode()) * 31 + Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return table + "/" + keyText() + "@p" + partition;
    }
}
