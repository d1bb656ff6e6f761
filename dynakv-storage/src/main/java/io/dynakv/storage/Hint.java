package io.dynakv.storage;

import io.dynakv.common.CorruptRecordException;
import io.dynakv.common.NodeId;
import io.dynakv.common.Versioned;
import io.dynakv.common.codec.ByteReader;
import io.dynakv.common.codec.ByteWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A write kept for a replica that did not acknowledge it (Dynamo paper, section 4.6).
 *
 * @param id assigned by the engine when stored (0 before that); orders a target's hints
 * @param target the replica the write is for
 */
public record Hint(long id, NodeId target, int partition, String table, byte[] key, Versioned value) {

    public Hint withId(long newId) {
        return new Hint(newId, target, partition, table, key, value);
    }

    /** The stored form (target and id are in the storage key): partition, table, key, record. */
    public byte[] encodeBody() {
        byte[] tableBytes = table.getBytes(StandardCharsets.UTF_8);
        byte[] record = value.encode();
        return new ByteWriter(16 + tableBytes.length + key.length + record.length)
                .writeShort(partition)
                .writeLengthPrefixed(tableBytes)
                .writeLengthPrefixed(key)
                .writeBytes(record)
                .toByteArray();
    }

    public static Hint decodeBody(long id, NodeId target, byte[] body) {
        try {
            ByteReader in = new ByteReader(body);
            int partition = in.readShort();
            String table = new String(in.readLengthPrefixed(), StandardCharsets.UTF_8);
            byte[] key = in.readLengthPrefixed();
            return new Hint(id, target, partition, table, key, Versioned.decode(in.readRest()));
        } catch (IllegalArgumentException e) {
            throw new CorruptRecordException("malformed hint " + id + " for " + target + ": " + e.getMessage());
        }
    }

    /** Storage key of a hint: target then id, big-endian, so one target's hints are one range in id order. */
    public static byte[] storageKey(NodeId target, long id) {
        return new ByteWriter(16).writeLong(target.value()).writeLong(id).toByteArray();
    }

    /** The target inside a storage key made by {@link #storageKey}. */
    public static NodeId targetOf(byte[] storageKey) {
        return new NodeId(new ByteReader(storageKey, 0, 8).readLong());
    }

    /** The id inside a storage key made by {@link #storageKey}. */
    public static long idOf(byte[] storageKey) {
        return new ByteReader(storageKey, 8, 8).readLong();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hint h
                && id == h.id
                && partition == h.partition
                && target.equals(h.target)
                && table.equals(h.table)
                && Arrays.equals(key, h.key)
                && value.equals(h.value);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id) * 31 + Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return "Hint{" + id + " for " + target + " " + table + "@p" + partition + " " + value + "}";
    }
}
