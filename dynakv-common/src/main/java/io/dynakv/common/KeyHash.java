package io.dynakv.common;

/**
 * 64-bit MurmurHash3 (the first half of x64_128, seed 0) of a table name and key: fast, well mixed
 * and stable across versions and machines, which the ring needs since every node must place a key
 * in the same partition. The table is hashed in, so two tables' keys spread independently.
 */
public final class KeyHash {

    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private KeyHash() {}

    /** Hash of {@code table} + a 0 separator + {@code key} (a table name holds no 0 byte). */
    public static long of(byte[] table, byte[] key) {
        byte[] data = new byte[table.length + 1 + key.length];
        System.arraycopy(table, 0, data, 0, table.length);
        System.arraycopy(key, 0, data, table.length + 1, key.length);
        return murmur3(data);
    }

    static long murmur3(byte[] data) {
        long h1 = 0;
        long h2 = 0;
        int blocks = data.length / 16;
        for (int i = 0; i < blocks; i++) {
            long k1 = littleEndianLong(data, i * 16);
            long k2 = littleEndianLong(data, i * 16 + 8);
            h1 ^= mixK1(k1);
            h1 = Long.rotateLeft(h1, 27) + h2;
            h1 = h1 * 5 + 0x52dce729;
            h2 ^= mixK2(k2);
            h2 = Long.rotateLeft(h2, 31) + h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        long k1 = 0;
        long k2 = 0;
        int tail = blocks * 16;
        for (int i = data.length - tail - 1; i >= 0; i--) {
            long b = data[tail + i] & 0xFFL;
            if (i >= 8) {
                k2 |= b << ((i - 8) * 8);
            } else {
                k1 |= b << (i * 8);
            }
        }
        h1 ^= mixK1(k1);
        h2 ^= mixK2(k2);
        h1 ^= data.length;
        h2 ^= data.length;
        h1 += h2;
        h2 += h1;
        h1 = fmix(h1);
        h2 = fmix(h2);
        return h1 + h2;
    }

    private static long mixK1(long k1) {
        return Long.rotateLeft(k1 * C1, 31) * C2;
    }

    private static long mixK2(long k2) {
        return Long.rotateLeft(k2 * C2, 33) * C1;
    }

    private static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    private static long littleEndianLong(byte[] b, int i) {
        long v = 0;
        for (int j = 7; j >= 0; j--) {
            v = (v << 8) | (b[i + j] & 0xFFL);
        }
        return v;
    }
}
