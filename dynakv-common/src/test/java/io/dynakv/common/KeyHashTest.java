package io.dynakv.common;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * KeyHash against an independent, literal port of Austin Appleby's MurmurHash3_x64_128 (the
 * public-domain MurmurHash3.cpp), which is itself checked against published vectors.
 */
class KeyHashTest {

    // Published values (Guava's Murmur3Hash128Test, also used by Elasticsearch and Spark):
    // seed, first 64-bit half h1, second half h2, input.
    private static final Object[][] PUBLISHED = {
        {0, 0x0000000000000000L, 0x0000000000000000L, ""},
        {0, 0x629942693e10f867L, 0x92db0b82baeb5347L, "hell"},
        {0, 0xcbd8a7b341bd9b02L, 0x5b1e906a48ae1d19L, "hello"},
        {1, 0xa78ddff5adae8d10L, 0x128900ef20900135L, "hello"},
        {2, 0x8a486b23f422e826L, 0xf962a2c58947765fL, "hello "},
        {3, 0x2ea59f466f6bed8cL, 0xc610990acc428a17L, "hello w"},
        {4, 0x79f6305a386c572cL, 0x46305aed3483b94eL, "hello wo"},
        {5, 0xc2219d213ec1f1b5L, 0xa1d8e2e0a52785bdL, "hello wor"},
        {0, 0xe34bbc7bbc071b6cL, 0x7a433ca9c49a9347L, "The quick brown fox jumps over the lazy dog"},
        {0, 0x658ca970ff85269aL, 0x43fee3eaa68e5c3eL, "The quick brown fox jumps over the lazy cog"},
    };

    @Example
    void referencePortMatchesPublishedVectors() {
        for (Object[] v : PUBLISHED) {
            long[] h = Reference.x64_128(((String) v[3]).getBytes(UTF_8), (Integer) v[0]);
            assertThat(h).as("\"%s\" seed %s", v[3], v[0]).containsExactly((Long) v[1], (Long) v[2]);
        }
    }

    @Example
    void keyHashMatchesPublishedSeedZeroVectors() {
        for (Object[] v : PUBLISHED) {
            if ((Integer) v[0] == 0) {
                assertThat(KeyHash.murmur3(((String) v[3]).getBytes(UTF_8)))
                        .as("\"%s\"", v[3])
                        .isEqualTo((Long) v[1]);
            }
        }
    }

    /** Every length 0..64 covers no block, one, several, and each of the 15 tail lengths. */
    @Property(tries = 2000)
    void keyHashIsTheFirstHalfOfX64_128(@ForAll @Size(max = 64) byte[] data) {
        assertThat(KeyHash.murmur3(data)).isEqualTo(Reference.x64_128(data, 0)[0]);
    }

    @Example
    void everyLengthUpTo64AgreesWithTheReference() {
        long seed = 0x5EED_0001L;
        SplittableRandom random = new SplittableRandom(seed);
        for (int len = 0; len <= 64; len++) {
            for (int round = 0; round < 20; round++) {
                byte[] data = new byte[len];
                random.nextBytes(data);
                assertThat(KeyHash.murmur3(data))
                        .as("length %d round %d (random seed %d)", len, round, seed)
                        .isEqualTo(Reference.x64_128(data, 0)[0]);
            }
        }
    }

    @Property
    void ofHashesTableZeroKey(@ForAll @Size(max = 20) byte[] table, @ForAll @Size(max = 40) byte[] key) {
        byte[] joined = new byte[table.length + 1 + key.length];
        System.arraycopy(table, 0, joined, 0, table.length);
        System.arraycopy(key, 0, joined, table.length + 1, key.length);
        assertThat(KeyHash.of(table, key)).isEqualTo(Reference.x64_128(joined, 0)[0]);
    }

    @Example
    void tableAndKeyBoundaryMatters() {
        assertThat(KeyHash.of(bytes("ab"), bytes("c"))).isNotEqualTo(KeyHash.of(bytes("a"), bytes("bc")));
        assertThat(KeyHash.of(bytes("default"), bytes("k"))).isNotEqualTo(KeyHash.of(bytes("other"), bytes("k")));
        assertThat(KeyHash.of(bytes(""), bytes("abc"))).isNotEqualTo(KeyHash.of(bytes("abc"), bytes("")));
    }

    /** Stable across versions and machines: the ring depends on these exact values. */
    @Example
    void hashesAreStable() {
        assertThat(KeyHash.of(bytes("default"), bytes("k"))).isEqualTo(Reference.x64_128(bytes("default\0k"), 0)[0]);
        assertThat(KeyHash.murmur3(bytes("The quick brown fox jumps over the lazy dog")))
                .isEqualTo(0xe34bbc7bbc071b6cL);
    }

    @Property
    void singleBitChangesSpreadOverTheWholeHash(
            @ForAll @Size(min = 1, max = 40) byte[] data, @ForAll @IntRange(min = 0, max = 319) int bit) {
        int at = bit % (data.length * 8);
        byte[] flipped = data.clone();
        flipped[at / 8] ^= (byte) (1 << (at % 8));
        assertThat(KeyHash.murmur3(flipped)).isNotEqualTo(KeyHash.murmur3(data));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    /** MurmurHash3_x64_128 transcribed line by line from MurmurHash3.cpp, unsigned bytes in the tail. */
    static final class Reference {

        private Reference() {}

        @SuppressWarnings("fallthrough") // the C switch falls through on purpose
        static long[] x64_128(byte[] key, int seed) {
            int len = key.length;
            int nblocks = len / 16;
            long h1 = seed & 0xFFFFFFFFL;
            long h2 = seed & 0xFFFFFFFFL;
            final long c1 = 0x87c37b91114253d5L;
            final long c2 = 0x4cf5ad432745937fL;

            for (int i = 0; i < nblocks; i++) {
                long k1 = getblock64(key, i * 2);
                long k2 = getblock64(key, i * 2 + 1);

                k1 *= c1;
                k1 = Long.rotateLeft(k1, 31);
                k1 *= c2;
                h1 ^= k1;

                h1 = Long.rotateLeft(h1, 27);
                h1 += h2;
                h1 = h1 * 5 + 0x52dce729;

                k2 *= c2;
                k2 = Long.rotateLeft(k2, 33);
                k2 *= c1;
                h2 ^= k2;

                h2 = Long.rotateLeft(h2, 31);
                h2 += h1;
                h2 = h2 * 5 + 0x38495ab5;
            }

            int tail = nblocks * 16;
            long k1 = 0;
            long k2 = 0;

            switch (len & 15) {
                case 15:
                    k2 ^= ((long) (key[tail + 14] & 0xFF)) << 48;
                    // fall through
                case 14:
                    k2 ^= ((long) (key[tail + 13] & 0xFF)) << 40;
                    // fall through
                case 13:
                    k2 ^= ((long) (key[tail + 12] & 0xFF)) << 32;
                    // fall through
                case 12:
                    k2 ^= ((long) (key[tail + 11] & 0xFF)) << 24;
                    // fall through
                case 11:
                    k2 ^= ((long) (key[tail + 10] & 0xFF)) << 16;
                    // fall through
                case 10:
                    k2 ^= ((long) (key[tail + 9] & 0xFF)) << 8;
                    // fall through
                case 9:
                    k2 ^= ((long) (key[tail + 8] & 0xFF));
                    k2 *= c2;
                    k2 = Long.rotateLeft(k2, 33);
                    k2 *= c1;
                    h2 ^= k2;
                    // fall through
                case 8:
                    k1 ^= ((long) (key[tail + 7] & 0xFF)) << 56;
                    // fall through
                case 7:
                    k1 ^= ((long) (key[tail + 6] & 0xFF)) << 48;
                    // fall through
                case 6:
                    k1 ^= ((long) (key[tail + 5] & 0xFF)) << 40;
                    // fall through
                case 5:
                    k1 ^= ((long) (key[tail + 4] & 0xFF)) << 32;
                    // fall through
                case 4:
                    k1 ^= ((long) (key[tail + 3] & 0xFF)) << 24;
                    // fall through
                case 3:
                    k1 ^= ((long) (key[tail + 2] & 0xFF)) << 16;
                    // fall through
                case 2:
                    k1 ^= ((long) (key[tail + 1] & 0xFF)) << 8;
                    // fall through
                case 1:
                    k1 ^= ((long) (key[tail] & 0xFF));
                    k1 *= c1;
                    k1 = Long.rotateLeft(k1, 31);
                    k1 *= c2;
                    h1 ^= k1;
                    // fall through
                default:
                    break;
            }

            h1 ^= len;
            h2 ^= len;

            h1 += h2;
            h2 += h1;

            h1 = fmix64(h1);
            h2 = fmix64(h2);

            h1 += h2;
            h2 += h1;

            return new long[] {h1, h2};
        }

        /** Block i of the input, read little-endian as the C code does on x86-64. */
        private static long getblock64(byte[] key, int i) {
            long v = 0;
            for (int b = 7; b >= 0; b--) {
                v = (v << 8) | (key[i * 8 + b] & 0xFFL);
            }
            return v;
        }

        private static long fmix64(long k) {
            k ^= k >>> 33;
            k *= 0xff51afd7ed558ccdL;
            k ^= k >>> 33;
            k *= 0xc4ceb9fe1a85ec53L;
            k ^= k >>> 33;
            return k;
        }
    }
}
