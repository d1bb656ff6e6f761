package io.dynakv.replication.message;

import io.dynakv.common.CausalContext;
import io.dynakv.common.ValueKind;
import io.dynakv.common.Versioned;
import io.dynakv.common.codec.ByteReader;
import io.dynakv.common.codec.ByteWriter;
import io.dynakv.common.codec.MalformedFrameException;
import io.dynakv.common.codec.MessageCodec;
import io.dynakv.common.codec.WireStrings;
import io.dynakv.replication.coordinator.ConsistencyLevel;
import io.dynakv.replication.coordinator.Outcome;
import io.dynakv.replication.coordinator.WriteRequest;
import io.dynakv.replication.coordinator.Written;
import io.dynakv.replication.replica.KeyRef;
import io.dynakv.replication.replica.WriteEffect;
import io.dynakv.storage.StorageKeys;
import java.util.Optional;

/**
 * The binary form of the replica protocol, schema version 3 (see {@link MessageCodec} for the
 * frame around it). Type ids 100-199 belong to replication; membership (SWIM) has 1-99 and must
 * not reuse these. Never renumber or reuse an id: add a new one.
 *
 * <pre>
 * 100 ReplicaReadRequest   [requestId:u64][key][ringEpoch:u64]
 * 101 ReplicaReadReply     [requestId:u64][present:u8 0|1][version]?
 * 102 ReplicaWriteRequest  [requestId:u64][key][version][ringEpoch:u64]
 * 103 ReplicaWriteReply    [requestId:u64][effect]
 * 104 ReplicaFailure       [requestId:u64][reason:string][storageFull:u8 0|1]
 * 105 ForwardWriteRequest  [requestId:u64][key][kind:u8][value: varint length, bytes][context][w]
 * 106 ForwardWriteReply    [requestId:u64][outcome]
 *
 * key     = [partition:u16][table:string][key bytes: varint length, bytes]
 * version = [varint length][Versioned.encode(): the storage record, with its own CRC32C]
 * string  = [varint length][UTF-8], decoded strictly (malformed UTF-8 is refused)
 * context = [present:u8 0|1][token:string]?   (the client's causal context token)
 * w       = [level:u8 0=exact 1=one 2=quorum 3=all][count:u8]
 * effect  = [0] applied | [1] already known | [2][version]   (concurrent: the version it met)
 * outcome = [0][version] | [1][answered:u8][required:u8][replicas:u8][reason:string]
 *         | [2][answered:u8][required:u8][replicas:u8]
 *         | [3][answered:u8][required:u8][replicas:u8][reason:string]   (unavailable: a disk full)
 *         | [4][version][version]   (ok, and the concurrent version the write met)
 * </pre>
 *
 * Schema history (each change bumps the transport's handshake version, so nodes of different
 * schemas refuse each other with a clear message instead of misreading frames): 2, a failure says
 * whether the disk is full; 3, a write acknowledgement says what the replica did with the write,
 * a forwarded write's outcome names the concurrent version it met (issue 9 item 9), and read and
 * write requests carry the coordinator's ring epoch (issue 9 item 6).
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
    public static final int FORWARD_WRITE_REQUEST = 105;
    public static final int FORWARD_WRITE_REPLY = 106;

    /** The range reserved for the replica protocol (inclusive). */
    public static final int FIRST_TYPE_ID = 100;

    public static final int LAST_TYPE_ID = 199;

    public static final int MAX_KEY_BYTES = 64 * 1024;
    public static final int MAX_REASON_BYTES = 4 * 1024;

    private ReplicationCodecs() {}

    /** Registers the replica-protocol kinds with {@code codec}; throws if an id is taken. */
    public static MessageCodec register(MessageCodec codec) {
        return codec.register(
                        READ_REQUEST,
                        ReplicaReadRequest.class,
                        (m, out) ->
                                writeKey(out.writeLong(m.requestId()), m.key()).writeLong(m.ringEpoch()),
                        in -> new ReplicaReadRequest(in.readLong(), readKey(in), in.readLong()))
                .register(READ_REPLY, ReplicaReadReply.class, ReplicationCodecs::writeReadReply, in -> {
                    long requestId = in.readLong();
                    return new ReplicaReadReply(requestId, readOptionalVersion(in));
                })
                .register(
                        WRITE_REQUEST,
                        ReplicaWriteRequest.class,
                        (m, out) -> writeVersion(writeKey(out.writeLong(m.requestId()), m.key()), m.version())
                                .writeLong(m.ringEpoch()),
                        in -> new ReplicaWriteRequest(in.readLong(), readKey(in), readVersion(in), in.readLong()))
                .register(
                        WRITE_REPLY,
                        ReplicaWriteReply.class,
                        (m, out) -> writeEffect(out.writeLong(m.requestId()), m.effect()),
                        in -> new ReplicaWriteReply(in.readLong(), readEffect(in)))
                .register(
                        FAILURE,
                        ReplicaFailure.class,
                        (m, out) -> WireStrings.write(
                                        out.writeLong(m.requestId()), m.reason(), MAX_REASON_BYTES, "reason")
                                .writeByte(m.storageFull() ? 1 : 0),
                        in -> new ReplicaFailure(in.readLong(), readReason(in), readFlag(in)))
                .register(
                        FORWARD_WRITE_REQUEST,
                        ForwardWriteRequest.class,
                        (m, out) -> writeForwardedWrite(out.writeLong(m.requestId()), m.write()),
                        in -> new ForwardWriteRequest(in.readLong(), readForwardedWrite(in)))
                .register(
                        FORWARD_WRITE_REPLY,
                        ForwardWriteReply.class,
                        (m, out) -> writeOutcome(out.writeLong(m.requestId()), m.outcome()),
                        in -> new ForwardWriteReply(in.readLong(), readOutcome(in)));
    }

    private static void writeForwardedWrite(ByteWriter out, WriteRequest write) {
        writeKey(out, write.key()).writeByte(write.kind().code()).writeLengthPrefixed(write.value());
        if (write.context().isPresent()) {
            WireStrings.write(
                    out.writeByte(1), write.context().get().toToken(), CausalContext.MAX_TOKEN_CHARS, "context");
        } else {
            out.writeByte(0);
        }
        ConsistencyLevel w = write.w();
        out.writeByte(w.level() == null ? 0 : w.level().ordinal() + 1).writeByte(w.count());
    }

    private static WriteRequest readForwardedWrite(ByteReader in) {
        KeyRef key = readKey(in);
        ValueKind kind;
        try {
            kind = ValueKind.fromCode(in.readByte());
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException(e.getMessage(), e);
        }
        byte[] value = in.readLengthPrefixed();
        Optional<CausalContext> context = Optional.empty();
        if (readFlag(in)) {
            String token = WireStrings.read(in, 1, CausalContext.MAX_TOKEN_CHARS, "context");
            // Only the canonical spelling, so every frame decodes to a message that encodes back the same.
            context = CausalContext.parseToken(token).filter(c -> c.toToken().equals(token));
            if (context.isEmpty()) {
                throw new MalformedFrameException("the context is not a canonical token");
            }
        }
        int level = in.readByte();
        int count = in.readByte();
        ConsistencyLevel w;
        if (level == 0 && count >= 1) {
            w = new ConsistencyLevel(null, count);
        } else if (level >= 1 && level <= ConsistencyLevel.Level.values().length && count == 0) {
            w = new ConsistencyLevel(ConsistencyLevel.Level.values()[level - 1], 0);
        } else {
            throw new MalformedFrameException("consistency level " + level + "/" + count + " is not one");
        }
        return new WriteRequest(key, kind, value, context, w);
    }

    private static void writeEffect(ByteWriter out, WriteEffect effect) {
        switch (effect.outcome()) {
            case APPLIED -> out.writeByte(0);
            case ALREADY_KNOWN -> out.writeByte(1);
            case CONCURRENT_MERGED -> writeVersion(
                    out.writeByte(2), effect.concurrent().orElseThrow());
        }
    }

    private static WriteEffect readEffect(ByteReader in) {
        int tag = in.readByte();
        return switch (tag) {
            case 0 -> WriteEffect.APPLIED;
            case 1 -> WriteEffect.ALREADY_KNOWN;
            case 2 -> WriteEffect.concurrentWith(readVersion(in));
            default -> throw new MalformedFrameException("write effect " + tag + " is not 0, 1 or 2");
        };
    }

    private static void writeOutcome(ByteWriter out, Outcome<Written> outcome) {
        if (outcome instanceof Outcome.Ok<Written> ok) {
            Written written = ok.value();
            if (written.concurrent().isPresent()) {
                writeVersion(
                        writeVersion(out.writeByte(4), written.version()),
                        written.concurrent().get());
            } else {
                writeVersion(out.writeByte(0), written.version());
            }
        } else if (outcome instanceof Outcome.Unavailable<Written> u) {
            writeCounts(out.writeByte(u.storageFull() ? 3 : 1), u.answered(), u.required(), u.replicas());
            WireStrings.write(out, cut(u.reason()), MAX_REASON_BYTES, "reason");
        } else {
            Outcome.TimedOut<Written> t = (Outcome.TimedOut<Written>) outcome;
            writeCounts(out.writeByte(2), t.answered(), t.required(), t.replicas());
        }
    }

    private static Outcome<Written> readOutcome(ByteReader in) {
        int tag = in.readByte();
        if (tag == 0) {
            return new Outcome.Ok<>(Written.alone(readVersion(in)));
        }
        if (tag == 4) {
            Versioned version = readVersion(in);
            return new Outcome.Ok<>(new Written(version, Optional.of(readVersion(in))));
        }
        if (tag < 1 || tag > 3) {
            throw new MalformedFrameException("outcome tag " + tag + " is not one of 0 to 4");
        }
        int answered = in.readByte();
        int required = in.readByte();
        int replicas = in.readByte();
        return tag == 2
                ? new Outcome.TimedOut<>(answered, required, replicas)
                : new Outcome.Unavailable<>(answered, required, replicas, readReason(in), tag == 3);
    }

    private static void writeCounts(ByteWriter out, int answered, int required, int replicas) {
        for (int count : new int[] {answered, required, replicas}) {
            if (count < 0 || count > 0xFF) {
                throw new IllegalArgumentException("replica count " + count + " does not fit a byte");
            }
            out.writeByte(count);
        }
    }

    /** Reasons are cut like {@link ReplicaFailure}'s, so every reply fits and decodes back equal. */
    private static String cut(String reason) {
        return reason.length() > ReplicaFailure.MAX_REASON_CHARS
                ? reason.substring(0, ReplicaFailure.MAX_REASON_CHARS)
                : reason;
    }

    private static boolean readFlag(ByteReader in) {
        int flag = in.readByte();
        if (flag > 1) {
            throw new MalformedFrameException("presence flag " + flag + " is neither 0 nor 1");
        }
        return flag == 1;
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
        return PartitionRecords.readVersion(in);
    }

    private static Optional<Versioned> readOptionalVersion(ByteReader in) {
        return readFlag(in) ? Optional.of(readVersion(in)) : Optional.empty();
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
