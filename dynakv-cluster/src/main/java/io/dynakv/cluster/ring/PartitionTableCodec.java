package io.dynakv.cluster.ring;

import io.dynakv.common.NodeId;
import io.dynakv.common.codec.ByteReader;
import io.dynakv.common.codec.ByteWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The binary form of a {@link PartitionTable}, small enough to gossip (about 1 KiB for Q = 256,
 * N = 3, 32 nodes):
 *
 * <pre>
 * u8      format (1)
 * varint  epoch
 * varint  partitions Q              1..65536
 * varint  requested N               1..255
 * varint  member count n            >= 1
 * n x u64 member ids                strictly ascending (unsigned)
 * Q x R x varint member index       R = min(N, n); each list distinct, primary first
 * u32     CRC-32C of everything before it
 * </pre>
 *
 * Member indexes rather than ids keep each slot to one byte up to 128 members. The checksum is there
 * because a table is trusted for where every key lives: a flipped bit that still parsed would send
 * writes to the wrong replicas. Decoding checks the checksum first, then every bound before it
 * allocates, then the table's own invariants; anything else is an {@link IllegalArgumentException}.
 */
public final class PartitionTableCodec {

    /** Bumped when the layout changes; a node refuses a format it does not know. */
    public static final int FORMAT = 1;

    private static final int CHECKSUM_BYTES = 4;

    private PartitionTableCodec() {}

    public static byte[] encode(PartitionTable table) {
        List<NodeId> members = table.members();
        int replicas = table.replicationFactor();
        ByteWriter out = new ByteWriter(32 + members.size() * 8 + table.partitions() * replicas);
        out.writeByte(FORMAT);
        out.writeVarLong(table.epoch());
        out.writeVarLong(table.partitions());
        out.writeVarLong(table.requestedReplicationFactor());
        out.writeVarLong(members.size());
        for (NodeId member : members) {
            out.writeLong(member.value());
        }
        for (int p = 0; p < table.partitions(); p++) {
            for (NodeId node : table.preferenceList(p)) {
                out.writeVarLong(Collections.binarySearch(members, node));
            }
        }
        out.writeInt((int) checksum(out.array(), out.size()));
        return out.toByteArray();
    }

    public static PartitionTable decode(byte[] bytes) {
        if (bytes.length < CHECKSUM_BYTES + 1) {
            throw new IllegalArgumentException("a partition table needs more than " + bytes.length + " bytes");
        }
        int bodyLength = bytes.length - CHECKSUM_BYTES;
        int stored = new ByteReader(bytes, bodyLength, CHECKSUM_BYTES).readInt();
        if (stored != (int) checksum(bytes, bodyLength)) {
            throw new IllegalArgumentException("partition table checksum mismatch");
        }
        ByteReader in = new ByteReader(bytes, 0, bodyLength);
        int format = in.readByte();
        if (format != FORMAT) {
            throw new IllegalArgumentException("unknown partition table format " + format);
        }
        long epoch = in.readVarLong();
        int partitions = bounded(in.readVarLong(), Partitioner.MAX_PARTITIONS, "partition count");
        int requested = bounded(in.readVarLong(), PartitionTable.MAX_REPLICATION_FACTOR, "replication factor");
        // Each member takes 8 bytes, each slot at least one: check before allocating anything.
        int memberCount = bounded(in.readVarLong(), in.remaining() / 8, "member count");
        List<NodeId> members = new ArrayList<>(memberCount);
        for (int i = 0; i < memberCount; i++) {
            members.add(new NodeId(in.readLong()));
        }
        int replicas = Math.min(requested, memberCount);
        if ((long) partitions * replicas > in.remaining()) {
            throw new IllegalArgumentException(
                    partitions + " x " + replicas + " slots cannot fit in " + in.remaining() + " bytes");
        }
        List<List<NodeId>> lists = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            List<NodeId> list = new ArrayList<>(replicas);
            for (int i = 0; i < replicas; i++) {
                list.add(members.get(bounded(in.readVarLong(), memberCount - 1, "member index")));
            }
            lists.add(list);
        }
        if (in.remaining() != 0) {
            throw new IllegalArgumentException(in.remaining() + " bytes after the partition table");
        }
        // The constructor checks the rest: epoch, ascending members, distinct lists.
        return new PartitionTable(epoch, partitions, requested, members, lists);
    }

    private static int bounded(long value, int max, String what) {
        // A varint above 2^63 reads as negative: reject it rather than cast it.
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(what + " " + Long.toUnsignedString(value) + " outside 0.." + max);
        }
        return (int) value;
    }

    private static long checksum(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return crc.getValue();
    }
}
