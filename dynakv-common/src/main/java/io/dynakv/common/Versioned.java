package io.dynakv.common;

import io.dynakv.common.codec.ByteReader;
import io.dynakv.common.codec.ByteWriter;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * One version of a key's value: its causal history ({@code clock}), the hybrid logical time and
 * node of the write that made it (used only to order concurrent versions the same way on every
 * replica), what it holds, and the bytes. The value array is shared, never copied: treat it as
 * read-only.
 *
 * <p>Storage format, version 1: {@code [format=1][kind][hlc:8][writer:8][clock][value...][crc32c:4]}.
 * The checksum covers every byte before it and is checked on every read, so a corrupted record is
 * reported, never served.
 */
public record Versioned(VersionVector clock, long hlc, NodeId writer, ValueKind kind, byte[] value) {

    private static final int FORMAT = 1;
    private static final byte[] NO_BYTES = new byte[0];

    public static Versioned tombstone(VersionVector clock, long hlc, NodeId writer) {
        return new Versioned(clock, hlc, writer, ValueKind.TOMBSTONE, NO_BYTES);
    }

    public boolean isTombstone() {
        return kind == ValueKind.TOMBSTONE;
    }

    /**
     * The order used among concurrent versions (DESIGN section 2): the higher HLC wins, then the
     * higher writer id. Total and the same on every replica, so replicas converge. Two different
     * versions under one clock (which a correct minter never makes, see {@code Resolution}) are
     * ordered by the rest of their contents too: kind, then value bytes, so even they converge.
     */
    public boolean winsOver(Versioned other) {
        if (hlc != other.hlc) {
            return hlc > other.hlc;
        }
        int byWriter = writer.compareTo(other.writer);
        if (byWriter != 0) {
            return byWriter > 0;
        }
        if (kind != other.kind) {
            return kind.code() > other.kind.code();
        }
        return Arrays.compareUnsigned(value, other.value) > 0;
    }

    public byte[] encode() {
        ByteWriter out = new ByteWriter(value.length + 40 + clock.size() * 10);
        out.writeByte(FORMAT).writeByte(kind.code()).writeLong(hlc).writeLong(writer.value());
        clock.writeTo(out);
        out.writeBytes(value);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.size());
        out.writeInt((int) crc.getValue());
        return out.toByteArray();
    }

    /** Decodes a stored record; a bad checksum or layout throws {@link CorruptRecordException}. */
    public static Versioned decode(byte[] bytes) {
        if (bytes.length < 4) {
            throw new CorruptRecordException("record of " + bytes.length + " bytes is too short");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = new ByteReader(bytes, bytes.length - 4, 4).readInt();
        if ((int) crc.getValue() != stored) {
            throw new CorruptRecordException("record checksum mismatch");
        }
        try {
            ByteReader in = new ByteReader(bytes, 0, bytes.length - 4);
            int format = in.readByte();
            if (format != FORMAT) {
                throw new CorruptRecordException("unknown record format " + format);
            }
            ValueKind kind = ValueKind.fromCode(in.readByte());
            long hlc = in.readLong();
            NodeId writer = new NodeId(in.readLong());
            VersionVector clock = VersionVector.readFrom(in);
            return new Versioned(clock, hlc, writer, kind, in.readRest());
        } catch (IllegalArgumentException e) {
            throw new CorruptRecordException("malformed record: " + e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Versioned v
                && hlc == v.hlc
                && kind == v.kind
                && clock.equals(v.clock)
                && writer.equals(v.writer)
                && Arrays.equals(value, v.value);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * clock.hashCode() + Long.hashCode(hlc)) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Versioned{" + kind + " clock=" + clock + " hlc=" + Hlc.toString(hlc) + " writer=" + writer + " bytes="
                + value.length + "}";
    }
}
