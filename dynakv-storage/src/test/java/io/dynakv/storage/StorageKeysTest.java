package io.dynakv.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StorageKeysTest {

    @Test
    void layoutIsPartitionThenLengthPrefixedTableThenKey() {
        assertThat(StorageKeys.recordKey(0x0102, "ab", new byte[] {9, (byte) 0xFF}))
                .containsExactly(0x01, 0x02, 2, 'a', 'b', 9, 0xFF);
        assertThat(StorageKeys.tablePrefix(65535, "t")).containsExactly(0xFF, 0xFF, 1, 't');
        byte[] record = StorageKeys.recordKey(258, "tbl", new byte[] {1});
        assertThat(StorageKeys.partition(record)).isEqualTo(258);
        assertThat(StorageKeys.table(record)).isEqualTo("tbl");
        assertThat(StorageKeys.userKey(record, StorageKeys.tablePrefix(258, "tbl").length))
                .containsExactly(1);
    }

    @Test
    void tableNamesAreUtf8AndLengthPrefixed() {
        byte[] record = StorageKeys.recordKey(0, "é", new byte[] {1});
        assertThat(record).containsExactly(0, 0, 2, 0xC3, 0xA9, 1);
        assertThat(StorageKeys.table(record)).isEqualTo("é");
    }

    @Test
    void everyKeyOfATableSortsBeforeTheNextTableAndPartition() {
        byte[] lastOfA = StorageKeys.recordKey(0, "a", new byte[] {(byte) 0xFF, (byte) 0xFF});
        byte[] firstOfAb = StorageKeys.recordKey(0, "ab", new byte[] {0});
        byte[] lastOfPartition0 = StorageKeys.recordKey(0, "zz", new byte[] {(byte) 0xFF});
        byte[] firstOfPartition1 = StorageKeys.recordKey(1, "a", new byte[] {0});
        assertThat(StorageKeys.ORDER.compare(lastOfA, firstOfAb)).isNegative();
        assertThat(StorageKeys.ORDER.compare(lastOfPartition0, firstOfPartition1))
                .isNegative();
        assertThat(StorageKeys.startsWith(firstOfAb, StorageKeys.tablePrefix(0, "a")))
                .isFalse();
    }

    @Test
    void scanStartSkipsExactlyTheAfterKey() {
        byte[] start = StorageKeys.scanStart(0, "t", new byte[0], new byte[] {5});
        assertThat(start).containsExactly(0, 0, 1, 't', 5, 0);
        // An afterKey before the prefix range does not move the start.
        assertThat(StorageKeys.scanStart(0, "t", new byte[] {7}, new byte[] {5}))
                .containsExactly(0, 0, 1, 't', 7);
        assertThat(StorageKeys.scanStart(0, "t", null, null)).containsExactly(0, 0, 1, 't');
    }

    @Test
    void rejectsOutOfRangeAddresses() {
        assertThatThrownBy(() -> StorageKeys.recordKey(-1, "t", new byte[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StorageKeys.recordKey(65536, "t", new byte[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StorageKeys.recordKey(0, "", new byte[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StorageKeys.recordKey(0, "x".repeat(256), new byte[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StorageKeys.recordKey(0, "t", new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(StorageKeys.recordKey(0, "x".repeat(255), new byte[] {1})).hasSize(3 + 255 + 1);
    }
}
