package io.dynakv.cluster.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Key to partition: Q equal contiguous ranges of the unsigned 64-bit hash space. */
class PartitionerTest {

    private static final int[] COUNTS = {1, 2, 3, 7, 256, 65536};
    private static final long[] EDGE_HASHES = {
        Long.MIN_VALUE, Long.MIN_VALUE + 1, -2, -1, 0, 1, 2, Long.MAX_VALUE - 1, Long.MAX_VALUE
    };
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    @Provide
    Arbitrary<Integer> counts() {
        return Arbitraries.oneOf(
                Arbitraries.of(1, 2, 3, 7, 256, 65536), Arbitraries.integers().between(1, Partitioner.MAX_PARTITIONS));
    }

    @Example
    void edgeHashesLandInRange() {
        for (int q : COUNTS) {
            Partitioner p = new Partitioner(q);
            for (long h : EDGE_HASHES) {
                assertThat(p.partitionOfHash(h))
                        .as("Q=%d hash=%x", q, h)
                        .isBetween(0, q - 1)
                        .isEqualTo(naive(h, q));
            }
            assertThat(p.partitionOfHash(0)).isZero();
            assertThat(p.partitionOfHash(-1))
                    .as("the top of the unsigned range")
                    .isEqualTo(q - 1);
        }
    }

    /** Against floor(unsigned(hash) * Q / 2^64) in exact arithmetic. */
    @Property(tries = 3000)
    void matchesExactArithmetic(@ForAll long hash, @ForAll("counts") int q) {
        int partition = new Partitioner(q).partitionOfHash(hash);
        assertThat(partition).isBetween(0, q - 1).isEqualTo(naive(hash, q));
    }

    @Property(tries = 3000)
    void monotonicInTheUnsignedHash(@ForAll long a, @ForAll long b, @ForAll("counts") int q) {
        long lo = Long.compareUnsigned(a, b) <= 0 ? a : b;
        long hi = lo == a ? b : a;
        Partitioner p = new Partitioner(q);
        assertThat(p.partitionOfHash(lo)).isLessThanOrEqualTo(p.partitionOfHash(hi));
    }

    /** Range boundaries: partition k starts at ceil(k * 2^64 / Q); the hash just before is in k - 1. */
    @Property
    void rangesAreContiguousAndEqual(@ForAll("counts") int q, @ForAll long any) {
        Partitioner p = new Partitioner(q);
        int k = Math.floorMod(any, q);
        BigInteger start = BigInteger.valueOf(k)
                .multiply(TWO_TO_64)
                .add(BigInteger.valueOf(q - 1))
                .divide(BigInteger.valueOf(q));
        long first = start.longValue(); // two's complement of the unsigned start
        assertThat(p.partitionOfHash(first)).isEqualTo(k);
        if (k > 0) {
            assertThat(p.partitionOfHash(first - 1)).isEqualTo(k - 1);
        }
        BigInteger end = BigInteger.valueOf(k + 1L)
                .multiply(TWO_TO_64)
                .add(BigInteger.valueOf(q - 1))
                .divide(BigInteger.valueOf(q));
        long last = end.subtract(BigInteger.ONE).longValue();
        assertThat(p.partitionOfHash(last)).isEqualTo(k);
    }

    @Example
    void keysSpreadEvenlyOverTheDefaultPartitionCount() {
        long seed = 0xD1CEL;
        SplittableRandom random = new SplittableRandom(seed);
        Partitioner p = new Partitioner(Partitioner.DEFAULT_PARTITIONS);
        int keys = 1_000_000;
        int[] counts = new int[p.partitions()];
        byte[] table = "default".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < keys; i++) {
            byte[] key = ("user:" + random.nextLong()).getBytes(StandardCharsets.UTF_8);
            counts[p.partitionOf(table, key)]++;
        }
        double mean = (double) keys / p.partitions();
        for (int i = 0; i < counts.length; i++) {
            assertThat((double) counts[i])
                    .as("partition %d (random seed %d)", i, seed)
                    .isBetween(mean * 0.9, mean * 1.1);
        }
    }

    @Example
    void sequentialKeysSpreadEvenlyToo() {
        Partitioner p = new Partitioner(Partitioner.DEFAULT_PARTITIONS);
        int keys = 1_000_000; // +-10% of the mean is about 6 standard deviations
        int[] counts = new int[p.partitions()];
        byte[] table = "t".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < keys; i++) {
            counts[p.partitionOf(table, Integer.toString(i).getBytes(StandardCharsets.UTF_8))]++;
        }
        double mean = (double) keys / p.partitions();
        for (int i = 0; i < counts.length; i++) {
            assertThat((double) counts[i]).as("partition %d", i).isBetween(mean * 0.9, mean * 1.1);
        }
    }

    @Example
    void partitionCountIsBounded() {
        assertThatThrownBy(() -> new Partitioner(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Partitioner(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Partitioner(Partitioner.MAX_PARTITIONS + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Partitioner(Integer.MIN_VALUE)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Partitioner(1).partitions()).isEqualTo(1);
        assertThat(new Partitioner(65536).partitions()).isEqualTo(65536);
        assertThat(Partitioner.MAX_PARTITIONS).isEqualTo(65536);
    }

    private static int naive(long hash, int q) {
        BigInteger unsigned = new BigInteger(Long.toUnsignedString(hash));
        return unsigned.multiply(BigInteger.valueOf(q)).shiftRight(64).intValueExact();
    }
}
