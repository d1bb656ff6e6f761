package io.dynakv.replication.antientropy;

import io.dynakv.common.codec.ByteReader;
import io.dynakv.common.codec.ByteWriter;
import io.dynakv.common.codec.MalformedFrameException;
import io.dynakv.common.codec.MessageCodec;
import io.dynakv.replication.antientropy.AntiEntropyMessage.BucketReply;
import io.dynakv.replication.antientropy.AntiEntropyMessage.BucketRequest;
import io.dynakv.replication.antientropy.AntiEntropyMessage.HashesReply;
import io.dynakv.replication.antientropy.AntiEntropyMessage.HashesRequest;
import io.dynakv.replication.message.PartitionRecords;
import io.dynakv.replication.message.ReplicationCodecs;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of the anti-entropy exchange, schema version 1 (see {@link MessageCodec} for the
 * frame around it). Type ids 110-119 are anti-entropy's share of replication's 100-199 (it is part
 * of the replication module and speaks to the same replicas); 110-113 are taken, the rest are kept
 * for its later kinds. Never renumber or reuse an id: add a new one.
 *
 * <pre>
 * 110 HashesRequest  [sessionId:u64][partition:u16][leafCount:u32][level:u8][count:varint][index:u32]*
 * 111 HashesReply    [sessionId:u64][level:u8][count:varint][index:u32]*[hash:u64]*
 * 112 BucketRequest  [sessionId:u64][partition:u16][leafCount:u32][bucket:u32]
 * 113 BucketReply    [sessionId:u64][bucket:u32][count:varint][record]*
 *
 * record  = [table:string][key bytes: varint length, bytes][version]
 * version = [varint length][Versioned.encode(): the storage record, with its own CRC32C]
 * string  = [varint length][UTF-8], decoded strictly (malformed UTF-8 is refused)
 * </pre>
 *
 * Fixed-width indexes and buckets, rather than varints, so that every int the records can hold
 * has exactly one encoding and a decoded frame re-encodes to the same bytes; whether a level,
 * index or leaf count makes sense is the {@link AntiEntropyResponder}'s and the session's check,
 * which drop what does not fit. This codec checks every count and length against a limit and
 * against what remains of the body before allocating: at most {@link #MAX_INDEXES} indexes (a
 * level never has more nodes than a tree has leaves), records no more than the remaining bytes
 * can hold, tables 1-255 bytes, keys up to {@link ReplicationCodecs#MAX_KEY_BYTES}.
 */
public final class AntiEntropyCodecs {

    public static final int HASHES_REQUEST = 110;
    public static final int HASHES_REPLY = 111;
    public static final int BUCKET_REQUEST = 112;
    public static final int BUCKET_REPLY = 113;

    /** The range reserved for anti-entropy (inclusive). */
    public static final int FIRST_TYPE_ID = 110;

    public static final int LAST_TYPE_ID = 119;

    /** Most indexes in one hashes request or reply: a whole level of the largest tree. */
    public static final int MAX_INDEXES = MerkleTree.MAX_LEAF_COUNT;

    private AntiEntropyCodecs() {}

    /** Registers the four anti-entropy kinds with {@code codec}; throws if an id is taken. */
    public static MessageCodec register(MessageCodec codec) {
        return codec.register(
                        HASHES_REQUEST,
                        HashesRequest.class,
                        (m, out) -> writeIndexes(
                                writeShape(out.writeLong(m.sessionId()), m.partition(), m.leafCount())
                                        .writeByte(checkLevel(m.level())),
                                m.indexes()),
                        in -> new HashesRequest(
                                in.readLong(), in.readShort(), in.readInt(), in.readByte(), readIndexes(in, 4)))
                .register(HASHES_REPLY, HashesReply.class, AntiEntropyCodecs::writeHashesReply, in -> {
                    long sessionId = in.readLong();
                    int level = in.readByte();
                    List<Integer> indexes = readIndexes(in, 4 + 8);
                    List<Long> hashes = new ArrayList<>(indexes.size());
                    for (int i = 0; i < indexes.size(); i++) {
                        hashes.add(in.readLong());
                    }
                    return new HashesReply(sessionId, level, indexes, hashes);
                })
                .register(
                        BUCKET_REQUEST,
                        BucketRequest.class,
                        (m, out) -> writeShape(out.writeLong(m.sessionId()), m.partition(), m.leafCount())
                                .writeInt(m.bucket()),
                        in -> new BucketRequest(in.readLong(), in.readShort(), in.readInt(), in.readInt()))
                .register(BUCKET_REPLY, BucketReply.class, AntiEntropyCodecs::writeBucketReply, in -> {
                    long sessionId = in.readLong();
                    int bucket = in.readInt();
                    return new BucketReply(sessionId, bucket, PartitionRecords.read(in, 0));
                });
    }

    private static ByteWriter writeShape(ByteWriter out, int partition, int leafCount) {
        if (partition < 0 || partition > 0xFFFF) {
            throw new IllegalArgumentException("partition " + partition + " does not fit 16 bits");
        }
        return out.writeShort(partition).writeInt(leafCount);
    }

    private static int checkLevel(int level) {
        if (level < 0 || level > 0xFF) {
            throw new IllegalArgumentException("level " + level + " does not fit 8 bits");
        }
        return level;
    }

    private static void writeHashesReply(HashesReply m, ByteWriter out) {
        writeIndexes(out.writeLong(m.sessionId()).writeByte(checkLevel(m.level())), m.indexes());
        for (long hash : m.hashes()) {
            out.writeLong(hash);
        }
    }

    private static void writeIndexes(ByteWriter out, List<Integer> indexes) {
        if (indexes.size() > MAX_INDEXES) {
            throw new IllegalArgumentException(indexes.size() + " indexes exceed " + MAX_INDEXES);
        }
        out.writeVarLong(indexes.size());
        for (int index : indexes) {
            out.writeInt(index);
        }
    }

    /** Reads a count and that many indexes, each entry taking {@code bytesPerEntry} of the body. */
    private static List<Integer> readIndexes(ByteReader in, int bytesPerEntry) {
        long count = in.readVarLong();
        if (count < 0 || count > MAX_INDEXES || count > in.remaining() / bytesPerEntry) {
            throw new MalformedFrameException(
                    "index count " + count + " exceeds " + MAX_INDEXES + " or the " + in.remaining() + " bytes left");
        }
        List<Integer> indexes = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            indexes.add(in.readInt());
        }
        return indexes;
    }

    private static void writeBucketReply(BucketReply m, ByteWriter out) {
        PartitionRecords.write(out.writeLong(m.sessionId()).writeInt(m.bucket()), m.records(), 0);
    }
}
