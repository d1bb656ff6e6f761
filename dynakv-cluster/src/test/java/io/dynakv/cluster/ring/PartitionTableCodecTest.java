package io.dynakv.cluster.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynakv.common.NodeId;
import io.dynakv.common.codec.ByteWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The gossip encoding: round trips exactly, and refuses anything else with IllegalArgumentException. */
class PartitionTableCodecTest {

    @Property(tries = 200)
    void roundTripsExactly(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 40) int members,
            @ForAll @IntRange(min = 1, max = 5) int replicationFactor,
            @ForAll @IntRange(min = 0, max = 4) int partitionChoice) {
        int partitions = new int[] {1, 7, 64, 256, 1024}[partitionChoice];
        List<NodeId> ids = RingChecks.nodeIds(seed, members + 1);
        PartitionTable table = PartitionTable.initial(RingChecks.firstN(ids, members), partitions, replicationFactor);
        table = table.rebalance(new TreeSet<>(ids.subList(1, members + 1))); // a later epoch, a mixed table
        byte[] bytes = table.encode();
        PartitionTable decoded = PartitionTable.decode(bytes);
        assertThat(decoded).isEqualTo(table);
        assertThat(decoded.encode()).as("one encoding per table").isEqualTo(bytes);
    }

    @Example
    void aThirtyTwoNodeTableIsAboutOneKibibyte() {
        PartitionTable table = PartitionTable.initial(new TreeSet<>(RingChecks.nodeIds(1, 32)), 256, 3);
        byte[] bytes = table.encode();
        // format + epoch + Q + N + n, 32 ids, 768 one-byte slots, checksum
        assertThat(bytes).hasSize(1 + 1 + 2 + 1 + 1 + 32 * 8 + 768 + 4);
        System.out.printf(Locale.ROOT, "partition table, Q=256 N=3 32 nodes: %d bytes%n", bytes.length);
    }

    @Example
    void everyTruncationAndEveryBitFlipIsRejected() {
        byte[] bytes = PartitionTable.initial(new TreeSet<>(RingChecks.nodeIds(2, 5)), 16, 3)
                .encode();
        for (int length = 0; length < bytes.length; length++) {
            byte[] cut = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> PartitionTable.decode(cut))
                    .as("truncated to %d", length)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        for (int bit = 0; bit < bytes.length * 8; bit++) {
            byte[] flipped = bytes.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> PartitionTable.decode(flipped))
                    .as("bit %d flipped", bit)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> PartitionTable.decode(longer)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Random bodies with a correct checksum reach the parser: it must still only say no. */
    @Property(tries = 2000)
    void garbageWithAValidChecksumIsRejectedCleanly(@ForAll @Size(max = 64) byte[] body, @ForAll boolean realHeader) {
        byte[] input = body;
        if (realHeader && body.length > 0) {
            input = body.clone();
            input[0] = PartitionTableCodec.FORMAT; // get past the format byte more often
        }
        byte[] framed = withChecksum(input);
        try {
            PartitionTable table = PartitionTable.decode(framed);
            assertThat(table.encode()).as("whatever parses must be canonical").isEqualTo(framed);
        } catch (IllegalArgumentException expected) {
            // the only acceptable failure
        }
    }

    @Example
    void structurallyInvalidTablesAreRejectedEvenWithAValidChecksum() {
        long a = 0x10;
        long b = 0x20;
        rejects("unknown format", body(2, 1, 1, 1, new long[] {a}, new int[] {0}));
        rejects("no partitions", body(1, 1, 0, 1, new long[] {a}, new int[] {}));
        rejects("too many partitions", body(1, 1, Partitioner.MAX_PARTITIONS + 1, 1, new long[] {a}, new int[] {}));
        rejects("N = 0", body(1, 1, 1, 0, new long[] {a}, new int[] {}));
        rejects("N too large", body(1, 1, 1, PartitionTable.MAX_REPLICATION_FACTOR + 1, new long[] {a}, new int[] {0}));
        rejects("no members", body(1, 1, 1, 1, new long[] {}, new int[] {}));
        rejects("members out of order", body(1, 1, 1, 1, new long[] {b, a}, new int[] {0}));
        rejects("a member twice", body(1, 1, 1, 1, new long[] {a, a}, new int[] {0}));
        rejects("index past the members", body(1, 1, 1, 1, new long[] {a, b}, new int[] {2}));
        rejects("a node twice in a list", body(1, 1, 1, 2, new long[] {a, b}, new int[] {1, 1}));
        rejects("a list too short", body(1, 1, 2, 2, new long[] {a, b}, new int[] {0, 1, 0}));
        rejects("bytes left over", body(1, 1, 1, 1, new long[] {a}, new int[] {0, 0}));
        // Unsigned ordering: 0x8000... sorts after 0x7fff..., as NodeId compares.
        assertThat(PartitionTable.decode(
                        withChecksum(body(1, 1, 1, 2, new long[] {Long.MAX_VALUE, Long.MIN_VALUE}, new int[] {1, 0}))))
                .extracting(PartitionTable::members)
                .isEqualTo(List.of(new NodeId(Long.MAX_VALUE), new NodeId(Long.MIN_VALUE)));
        ByteWriter negativeEpoch = new ByteWriter(16).writeByte(1).writeVarLong(-1);
        rejects("an epoch past 2^63", negativeEpoch.toByteArray());
        ByteWriter hugeCount =
                new ByteWriter(16).writeByte(1).writeVarLong(1).writeVarLong(1).writeVarLong(1);
        hugeCount.writeVarLong(1L << 60);
        rejects("a member count that cannot fit", hugeCount.toByteArray());
        rejects("empty", new byte[0]);
    }

    private static byte[] body(int format, long epoch, int partitions, int n, long[] members, int[] slots) {
        ByteWriter out = new ByteWriter(64);
        out.writeByte(format).writeVarLong(epoch).writeVarLong(partitions).writeVarLong(n);
        out.writeVarLong(members.length);
        for (long member : members) {
            out.writeLong(member);
        }
        for (int slot : slots) {
            out.writeVarLong(slot);
        }
        return out.toByteArray();
    }

    private static void rejects(String why, byte[] body) {
        assertThatThrownBy(() -> PartitionTable.decode(withChecksum(body)))
                .as(why)
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] withChecksum(byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(body);
        return new ByteWriter(body.length + 4)
                .writeBytes(body)
                .writeInt((int) crc.getValue())
                .toByteArray();
    }

    /** A random walk's tables all survive the trip (the property test checks this at every step). */
    @Example
    void tablesFromARandomWalkRoundTrip() {
        SplittableRandom random = new SplittableRandom(99);
        List<NodeId> pool = RingChecks.nodeIds(99, 50);
        List<NodeId> current = new ArrayList<>(pool.subList(0, 3));
        PartitionTable table = PartitionTable.initial(Set.copyOf(current), 256, 3);
        for (int i = 3; i < 50; i++) {
            if (random.nextBoolean() && current.size() > 1) {
                current.remove(random.nextInt(current.size()));
            }
            current.add(pool.get(i));
            table = table.rebalance(Set.copyOf(current));
            assertThat(PartitionTable.decode(table.encode())).isEqualTo(table);
        }
    }
}
