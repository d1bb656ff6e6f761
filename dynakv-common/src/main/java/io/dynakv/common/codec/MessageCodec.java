package io.dynakv.common.codec;

import io.dynakv.common.message.Message;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The binary schema of node-to-node messages: a registry of message kinds, each under a stable
 * type id, and the frame payload around them (no Java serialization).
 *
 * <p>Payload, schema version 1: {@code [version:u8][type:u16][body][crc32c:u32]}, big-endian. The
 * CRC32C covers every byte before it. The transport sends each payload behind a {@code [length:u32]}
 * prefix ({@link FrameDecoder}). A receiver checks, in this order, the length, the version (so a
 * newer peer is reported as such rather than as corruption), the checksum, the type id, and that
 * the body decodes to its last byte. Every failure is a {@link MalformedFrameException}: a decoder
 * that throws on bad input is reported as one too, so garbage never escapes as another exception.
 *
 * <p>Type ids are part of the wire format: never renumber or reuse one. Ranges: 1-99 membership
 * (SWIM 1-7, ring gossip 10-19), 100-199 replication (replica protocol and forwarded writes 100-106,
 * anti-entropy 110-119, partition streaming 120-129); 0 is never valid, so a zeroed frame cannot
 * decode.
 *
 * <p>Register every kind at startup, before the codec is shared. Registration is copy-on-write
 * under a lock, so a codec may then be used by several I/O threads at once.
 */
public final class MessageCodec {

    /** The schema version this build writes and the only one it reads. */
    public static final int SCHEMA_VERSION = 1;

    public static final int MIN_TYPE_ID = 1;
    public static final int MAX_TYPE_ID = 0xFFFF;

    /** Version and type. */
    public static final int HEADER_BYTES = 3;

    /** The CRC32C. */
    public static final int TRAILER_BYTES = 4;

    /** Writes a message's body. Must write only what the matching {@link Decoder} reads. */
    @FunctionalInterface
    public interface Encoder<T extends Message> {
        void encode(T message, ByteWriter out);
    }

    /**
     * Reads a body. Must bound every length by what remains (as {@link ByteReader} does) and
     * reject invalid input by throwing; the codec reports it as a malformed frame.
     */
    @FunctionalInterface
    public interface Decoder<T extends Message> {
        T decode(ByteReader in);
    }

    private record Kind<T extends Message>(
            int typeId, Class<T> type, Encoder<? super T> encoder, Decoder<? extends T> decoder) {
        void encode(Message message, ByteWriter out) {
            encoder.encode(type.cast(message), out);
        }
    }

    private final int maxPayloadBytes;
    private volatile Map<Integer, Kind<?>> byId = Map.of();
    private volatile Map<Class<?>, Kind<?>> byClass = Map.of();

    /** A codec whose frames fit {@link FrameDecoder#DEFAULT_MAX_PAYLOAD_BYTES}. */
    public MessageCodec() {
        this(FrameDecoder.DEFAULT_MAX_PAYLOAD_BYTES);
    }

    /** A codec that neither writes nor reads payloads longer than {@code maxPayloadBytes}. */
    public MessageCodec(int maxPayloadBytes) {
        if (maxPayloadBytes < HEADER_BYTES + TRAILER_BYTES) {
            throw new IllegalArgumentException("maxPayloadBytes too small: " + maxPayloadBytes);
        }
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /**
     * Registers the message record {@code type} under {@code typeId}. Throws
     * {@link IllegalArgumentException} when the id is out of range or either the id or the class is
     * already registered: two kinds on one id would silently decode as each other.
     */
    public synchronized <T extends Message> MessageCodec register(
            int typeId, Class<T> type, Encoder<? super T> encoder, Decoder<? extends T> decoder) {
        if (typeId < MIN_TYPE_ID || typeId > MAX_TYPE_ID) {
            throw new IllegalArgumentException("type id " + typeId + " outside " + MIN_TYPE_ID + ".." + MAX_TYPE_ID);
        }
        if (type == null || encoder == null || decoder == null) {
            throw new IllegalArgumentException("type, encoder and decoder are required for type id " + typeId);
        }
        if (!Modifier.isFinal(type.getModifiers())) {
            // Encoding looks the kind up by the exact class, so a subclass would not be found.
            throw new IllegalArgumentException(type.getName() + " must be a final class or a record");
        }
        Kind<?> taken = byId.get(typeId);
        if (taken != null) {
            throw new IllegalArgumentException("type id " + typeId + " is already registered for "
                    + taken.type().getName());
        }
        Kind<?> sameClass = byClass.get(type);
        if (sameClass != null) {
            throw new IllegalArgumentException(
                    type.getName() + " is already registered under type id " + sameClass.typeId());
        }
        Kind<T> kind = new Kind<>(typeId, type, encoder, decoder);
        Map<Integer, Kind<?>> ids = new TreeMap<>(byId);
        ids.put(typeId, kind);
        Map<Class<?>, Kind<?>> classes = new HashMap<>(byClass);
        classes.put(type, kind);
        byId = Collections.unmodifiableMap(ids);
        byClass = Collections.unmodifiableMap(classes);
        return this;
    }

    /** The registered type ids in ascending order. */
    public List<Integer> typeIds() {
        return List.copyOf(new TreeMap<>(byId).keySet());
    }

    /** The type id of {@code type}, or -1 when it is not registered. */
    public int typeIdOf(Class<? extends Message> type) {
        Kind<?> kind = byClass.get(type);
        return kind == null ? -1 : kind.typeId();
    }

    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /**
     * The frame payload for {@code message}: {@code [version][type][body][crc32c]}. Throws
     * {@link IllegalArgumentException} when its class is not registered or the payload would exceed
     * the maximum (the receiver would refuse it).
     */
    public byte[] encode(Message message) {
        return encode(message, 0);
    }

    /**
     * The whole frame for {@code message}, {@code [length:u32]} followed by its payload, as
     * {@link FrameDecoder} reads it; one array, so the transport can write it without a copy.
     */
    public byte[] encodeFramed(Message message) {
        return encode(message, FrameDecoder.LENGTH_PREFIX_BYTES);
    }

    private byte[] encode(Message message, int prefixBytes) {
        Kind<?> kind = byClass.get(message.getClass());
        if (kind == null) {
            throw new IllegalArgumentException(
                    "no type id registered for " + message.getClass().getName());
        }
        ByteWriter out = new ByteWriter(64);
        for (int i = 0; i < prefixBytes; i++) {
            out.writeByte(0); // the length, patched below
        }
        out.writeByte(SCHEMA_VERSION).writeShort(kind.typeId());
        kind.encode(message, out);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), prefixBytes, out.size() - prefixBytes);
        out.writeInt((int) crc.getValue());
        int payloadBytes = out.size() - prefixBytes;
        if (payloadBytes > maxPayloadBytes) {
            throw new IllegalArgumentException(kind.type().getSimpleName() + " needs a payload of " + payloadBytes
                    + " bytes, above the maximum of " + maxPayloadBytes);
        }
        byte[] frame = out.toByteArray();
        if (prefixBytes > 0) {
            frame[0] = (byte) (payloadBytes >>> 24);
            frame[1] = (byte) (payloadBytes >>> 16);
            frame[2] = (byte) (payloadBytes >>> 8);
            frame[3] = (byte) payloadBytes;
        }
        return frame;
    }

    /** Decodes a whole payload; see {@link #decode(byte[], int, int)}. */
    public Message decode(byte[] payload) {
        return decode(payload, 0, payload.length);
    }

    /**
     * Decodes the payload in {@code bytes[offset, offset + length)}. Throws
     * {@link MalformedFrameException}, and nothing else, on any input that is not exactly a frame
     * this codec wrote.
     */
    public Message decode(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || length > bytes.length - offset) {
            throw new IllegalArgumentException(
                    "range [" + offset + ", +" + length + ") outside an array of " + bytes.length + " bytes");
        }
        if (length < HEADER_BYTES + TRAILER_BYTES) {
            throw new MalformedFrameException("frame of " + length + " bytes is shorter than the "
                    + (HEADER_BYTES + TRAILER_BYTES) + "-byte minimum");
        }
        if (length > maxPayloadBytes) {
            throw new MalformedFrameException(
                    "frame of " + length + " bytes exceeds the maximum of " + maxPayloadBytes);
        }
        int version = bytes[offset] & 0xFF;
        if (version != SCHEMA_VERSION) {
            throw new MalformedFrameException("frame schema version " + version + " is not supported: this node reads"
                    + " only version " + SCHEMA_VERSION + (version > SCHEMA_VERSION ? " (the peer is newer)" : ""));
        }
        int bodyEnd = offset + length - TRAILER_BYTES;
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length - TRAILER_BYTES);
        int stored = new ByteReader(bytes, bodyEnd, TRAILER_BYTES).readInt();
        if ((int) crc.getValue() != stored) {
            throw new MalformedFrameException("frame checksum mismatch");
        }
        int typeId = ((bytes[offset + 1] & 0xFF) << 8) | (bytes[offset + 2] & 0xFF);
        Kind<?> kind = byId.get(typeId);
        if (kind == null) {
            throw new MalformedFrameException(
                    String.format(Locale.ROOT, "unknown message type id %d (0x%04x)", typeId, typeId));
        }
        ByteReader in = new ByteReader(bytes, offset + HEADER_BYTES, bodyEnd - offset - HEADER_BYTES);
        Message message = decodeBody(kind, in);
        if (in.remaining() != 0) {
            throw new MalformedFrameException(in.remaining() + " bytes left after the body of "
                    + kind.type().getSimpleName() + " (type id " + typeId + ")");
        }
        return message;
    }

    private static Message decodeBody(Kind<?> kind, ByteReader in) {
        Message message;
        try {
            message = kind.decoder().decode(in);
        } catch (MalformedFrameException e) {
            throw e;
        } catch (RuntimeException e) {
            // Deliberately broad: untrusted input must surface as one exception type.
            throw new MalformedFrameException(
                    "malformed " + kind.type().getSimpleName() + " (type id " + kind.typeId() + "): " + e.getMessage(),
                    e);
        }
        if (!kind.type().isInstance(message)) {
            throw new IllegalStateException("decoder for type id " + kind.typeId() + " returned "
                    + (message == null ? "null" : message.getClass().getName()) + ", not "
                    + kind.type().getName());
        }
        return message;
    }
}
