package io.dynakv.common.codec;

import java.util.Arrays;

/**
 * Reads what {@link ByteWriter} wrote. Every read checks the remaining length and throws
 * {@link IllegalArgumentException} on truncated or malformed input. Varints are accepted only in
 * their shortest form, so every value has exactly one encoding.
 */
public final class ByteReader {

    private final byte[] buf;
    private final int end;
    private int pos;

    public ByteReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    public ByteReader(byte[] buf, int offset, int length) {
        if (offset < 0 || length < 0 || length > buf.length - offset) {
            throw new IllegalArgumentException(
                    "range [" + offset + ", +" + length + ") outside an array of " + buf.length + " bytes");
        }
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
    }

    public int readByte() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    public int readShort() {
        need(2);
        int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    public int readInt() {
        need(4);
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        return v;
    }

    public long readLong() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        return v;
    }

    /** An unsigned LEB128 varint as {@link ByteWriter#writeVarLong} writes it. */
    public long readVarLong() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte();
            if (shift == 63 && b > 1) {
                // The tenth byte holds only bit 63; anything else would be silently dropped.
                throw new IllegalArgumentException("varint overflows 64 bits");
            }
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (b == 0 && shift > 0) {
                    throw new IllegalArgumentException("varint not in its shortest form");
                }
                return v;
            }
        }
        throw new IllegalArgumentException("varint longer than 10 bytes");
    }

    public byte[] readBytes(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
        need(length);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + length);
        pos += length;
        return out;
    }

    public byte[] readLengthPrefixed() {
        long length = readVarLong();
        // Unsigned on the wire: a length with bit 63 set is negative here, and must not be cast to int.
        if (length < 0 || length > remaining()) {
            throw new IllegalArgumentException("length " + length + " exceeds the " + remaining() + " bytes left");
        }
        return readBytes((int) length);
    }

    /** Everything not read yet. */
    public byte[] readRest() {
        return readBytes(remaining());
    }

    public int remaining() {
        return end - pos;
    }

    public int position() {
        return pos;
    }

    private void need(int n) {
        if (n > end - pos) {
            throw new IllegalArgumentException("truncated: need " + n + " bytes, " + (end - pos) + " left");
        }
    }
}
