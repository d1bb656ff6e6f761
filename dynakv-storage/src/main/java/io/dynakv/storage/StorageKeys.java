package io.dynakv.storage;

import io.dynakv.common.Versioned;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The byte layout of a record's address, shared by every engine so that they order and group
 * records identically: {@code [partition: 2 bytes big-endian][table length: 1 byte][table UTF-8]
 * [key]}, compared as unsigned bytes.
 *
 * <p>Why this layout: the partition comes first so one partition is one contiguous range (it can be
 * scanned, hashed for anti-entropy and streamed to a joining node without touching the others).
 * The table name is length-prefixed, not terminated, so a table whose name is a prefix of another
 * ({@code a} and {@code ab}) or a key that starts with a table-like string can never collide or
 * interleave: every key of {@code (p, "a")} sorts before every key of {@code (p, "ab")}.
 */
public final class StorageKeys {

    /** Unsigned lexicographic byte order, the order RocksDB's default comparator uses. */
    public static final Comparator<byte[]> ORDER = Arrays::compareUnsigned;

    public static final int MAX_PARTITION = 0xFFFF;
    public static final int MAX_TABLE_BYTES = 0xFF;

    private static final int HEADER_BYTES = 3;
    private static final byte[] EMPTY = new byte[0];

    private StorageKeys() {}

    /** The address of one record. Rejects an empty key: no API produces one. */
    public static byte[] recordKey(int partition, String table, byte[] key) {
        if (key.length == 0) {
            throw new IllegalArgumentException("key must not be empty");
        }
        return withTable(partition, table, key, false);
    }

    /** The common prefix of every record of one table in one partition. */
    public static byte[] tablePrefix(int partition, String table) {
        return withTable(partition, table, EMPTY, false);
    }

    /**
     * The first address a scan of {@code (partition, table)} for keys starting with {@code prefix}
     * and sorting strictly after {@code afterKey} must look at. Key {@code k + 0x00} is the
     * immediate successor of {@code k} in unsigned byte order, so seeking there skips exactly
     * {@code afterKey} and nothing else. A null prefix means the empty prefix.
     */
    public static byte[] scanStart(int partition, String table, byte[] prefix, byte[] afterKey) {
        byte[] first = withTable(partition, table, prefix == null ? EMPTY : prefix, false);
        if (afterKey == null) {
            return first;
        }
        byte[] afterSuccessor = withTable(partition, table, afterKey, true);
        return ORDER.compare(afterSuccessor, first) > 0 ? afterSuccessor : first;
    }

    /** The common prefix of every record of one partition, all tables. */
    public static byte[] partitionPrefix(int partition) {
        if (partition < 0 || partition > MAX_PARTITION) {
            throw new IllegalArgumentException("partition out of range 0.." + MAX_PARTITION + ": " + partition);
        }
        return new byte[] {(byte) (partition >>> 8), (byte) partition};
    }

    /**
     * Where a partition-wide scan resumes: just after record {@code (afterTable, afterKey)}, or at
     * the partition's start when {@code afterTable} is null.
     */
    public static byte[] partitionScanStart(int partition, String afterTable, byte[] afterKey) {
        return afterTable == null ? partitionPrefix(partition) : withTable(partition, afterTable, afterKey, true);
    }

    /** A record found by a partition-wide scan, from its address and decoded version. */
    public static PartitionRecord partitionRecord(byte[] recordKey, Versioned value) {
        return new PartitionRecord(table(recordKey), userKey(recordKey, HEADER_BYTES + (recordKey[2] & 0xFF)), value);
    }

    /** Whether {@code recordKey} lies inside the range of addresses that start with {@code range}. */
    public static boolean startsWith(byte[] recordKey, byte[] range) {
        return recordKey.length >= range.length && Arrays.equals(recordKey, 0, range.length, range, 0, range.length);
    }

    /** The user's key inside a record address, given the length of its table prefix. */
    public static byte[] userKey(byte[] recordKey, int tablePrefixLength) {
        return Arrays.copyOfRange(recordKey, tablePrefixLength, recordKey.length);
    }

    /** The partition of a record address. */
    public static int partition(byte[] recordKey) {
        return ((recordKey[0] & 0xFF) << 8) | (recordKey[1] & 0xFF);
    }

    /** The table of a record address. */
    public static String table(byte[] recordKey) {
        return new String(recordKey, HEADER_BYTES, recordKey[2] & 0xFF, StandardCharsets.UTF_8);
    }

    private static byte[] withTable(int partition, String table, byte[] tail, boolean successor) {
        if (partition < 0 || partition > MAX_PARTITION) {
            throw new IllegalArgumentException("partition out of range 0.." + MAX_PARTITION + ": " + partition);
        }
        byte[] name = table.getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length > MAX_TABLE_BYTES) {
            throw new IllegalArgumentException("table name must be 1.." + MAX_TABLE_BYTES + " bytes: " + table);
        }
        // A trailing 0x00 (the successor) is already there: new arrays are zero-filled.
        byte[] out = new byte[HEADER_BYTES + name.length + tail.length + (successor ? 1 : 0)];
        out[0] = (byte) (partition >>> 8);
        out[1] = (byte) partition;
        out[2] = (byte) name.length;
        System.arraycopy(name, 0, out, HEADER_BYTES, name.length);
        System.arraycopy(tail, 0, out, HEADER_BYTES + name.length, tail.length);
        return out;
    }
}
