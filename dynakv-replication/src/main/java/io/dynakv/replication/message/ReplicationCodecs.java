package io.dynakv.replication.message;

import io.dynakv.common.CorruptRecordException;
import io.dynakv.common.Versioned;
import io.dynakv.common.codec.ByteReader;
import io.dynakv.common.codec.ByteWriter;
import io.dynakv.common.codec.MalformedFrameException;
import io.dynakv.common.codec.MessageCodec;
import io.dynakv.common.codec.WireStrings;
import io.dynakv.replication.replica.KeyRef;
import io.dynakv.storage.StorageKeys;
import java.util.Optional;

/**
 * The binary form of the replica protocol, schema version 1 (see {@link MessageCodec} for the
 * frame around it). Type ids 100-199 belong to replication; membership (SWIM) has 1-99 and must
 * not reuse these. Never renumber or reuse an id: add a new one.
 *
 * <pre>
 * 100 ReplicaReadRequest   [requestId:u64][key]
 * 101 ReplicaReadReply     [requestId:u64][present:u8 0|1][version]?
 * 102 ReplicaWriteRequest  [requestId:u64][key][version]
 * 103 ReplicaWriteReply    [requestId:u64]
 * 104 ReplicaFailure       [requestId:u64][reason:string]
 *
 * key     = [partition:u16][table:string][key bytes: varint length, bytes]
 * version = [varint length][Versioned.encode(): the storage record, with its own CRC32C]
 * string  = [varint length][UTF-8], decoded strictly (malformed UTF-8 is refused)
 * </pre>
 *
 * Every length is checked against a limit and against what remains of the body before anything
 * is allocated: table names 1-255 bytes (the storage key layout's limit), keys up to 64 KiB (the
 * node's largest {@code --max-key-bytes}), failure reasons up to 4 KiB.
 */
public final class ReplicationCodecs {

    public static final int READ_REQUEST = 100;
    public static final int READ_REPLY = 101;
    public static final int WRITE_REQUEST = 102;
    public static final int WRITE_REPLY = 103;
    public static final int FAILURE = 104;

    /** The range reserved for the replica protocol (inclusive). */
    public static final int FIRST_TYPE_ID = 100;

    public static final int LAST_TYPE_ID = 199;

    public static final int MAX_KEY_BYTES = 64 * 1024;
    public static final int MAX_REASON_BYTES = 4 * 1024;

    private ReplicationCodecs() {}

    /** Registers the five replica-protocol kinds with {@code codec}; throws if an id is taken. */
    public static MessageCodec register(MessageCodec codec) {
        return codec.register(
                        READ_REQUEST,
                        ReplicaReadRequest.class,
                        (m, out) -> writeKey(out.writeLong(m.requestId()), m.key()),
                        in -> new ReplicaReadRequest(in.readLong(), readKey(in)))
                .register(READ_REPLY, ReplicaReadReply.class, ReplicationCodecs::writeReadReply, in -> {
                    long requestId = in.readLong();
                    return new ReplicaReadReply(requestId, readOptionalVersion(in));
                })
                .register(
                        WRITE_REQUEST,
                        ReplicaWriteRequest.class,
                        (m, out) -> writeVersion(writeKey(out.writeLong(m.requestId()), m.key()), m.version()),
                        in -> new ReplicaWriteRequest(in.readLong(), readKey(in), readVersion(in)))
                .register(
                        WRITE_REPLY,
                        ReplicaWriteReply.class,
                        (m, out) -> out.writeLong(m.requestId()),
                        in -> new ReplicaWriteReply(in.readLong()))
                .register(
                        FAILURE,
                        ReplicaFailure.class,
                        (m, out) ->
                                WireStrings.write(out.writeLong(m.requestId()), m.reason(), MAX_REASON_BYTES, "reason"),
                        in -> new ReplicaFailure(in.readLong(), readReason(in)));
    }

    private static void writeReadReply(ReplicaReadReply m, ByteWriter out) {
        out.writeLong(m.requestId());
        if (m.value().isPresent()) {
            writeVersion(out.writeByte(1), m.value().get());
        } else {
            out.writeByte(0);
        }
    }

    private static ByteWriter writeKey(ByteWriter out, KeyRef key) {
        if (key.partition() < 0 || key.partition() > 0xFFFF) {
            throw new IllegalArgumentException("partition " + key.partition() + " does not fit 16 bits");
        }
        if (key.key().length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("key of " + key.key().length + " bytes exceeds " + MAX_KEY_BYTES);
        }
        if (key.table().isEmpty()) {
            throw new IllegalArgumentException("table name must not be empty");
        }
        WireStrings.write(out.writeShort(key.partition()), key.table(), StorageKeys.MAX_TABLE_BYTES, "table name");
        return out.writeLengthPrefixed(key.key());
    }

    private static KeyRef readKey(ByteReader in) {
        int partition = in.readShort();
        String table = WireStrings.read(in, 1, StorageKeys.MAX_TABLE_BYTES, "table name");
        byte[] key = WireStrings.readBounded(in, 0, MAX_KEY_BYTES, "key");
        return new KeyRef(partition, table, key);
    }

    private static ByteWriter writeVersion(ByteWriter out, Versioned version) {
        return out.writeLengthPrefixed(version.encode());
    }

    private static Versioned readVersion(ByteReader in) {
        byte[] record = in.readLengthPrefixed();
        try {
            return Versioned.decode(record);
        } catch (CorruptRecordException e) {
            throw new MalformedFrameException("bad version record: " + e.getMessage(), e);
        }
    }

    private static Optional<Versioned> readOptionalVersion(ByteReader in) {
        int present = in.readByte();
        if (present > 1) {
            throw new MalformedFrameException("presence flag " + present + " is neither 0 nor 1");
        }
        return present == 1 ? Optional.of(readVersion(in)) : Optional.empty();
    }

    private static String readReason(ByteReader in) {
        String reason = WireStrings.read(in, 0, MAX_REASON_BYTES, "reason");
        if (reason.length() > ReplicaFailure.MAX_REASON_CHARS) {
            // The record would cut it: refuse, so that every frame decodes to a message that
            // encodes back to the same bytes.
            throw new MalformedFrameException(
                    "reason of " + reason.length() + " chars exceeds " + ReplicaFailure.MAX_REASON_CHARS);
        }
        return reason;
    }
}
