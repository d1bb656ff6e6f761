package io.dynakv.common.codec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Splits a byte stream into frames {@code [length:u32][payload]} (length big-endian, counting the
 * payload only). Feed it the bytes of one connection in the order they arrived, in chunks of any
 * size; it hands each complete payload to a sink, in order, as an array of exactly that length.
 *
 * <p>A length above the maximum is refused before anything is allocated for it, and the buffer
 * for a large frame grows with the bytes actually received, so a peer that announces a big frame
 * and then stalls costs little memory. After a refused length the stream is out of step for good:
 * every later {@link #feed} throws too, and the transport must close the connection.
 *
 * <p>Not thread-safe: one decoder per connection, fed from that connection's I/O thread.
 */
public final class FrameDecoder {

    public static final int LENGTH_PREFIX_BYTES = 4;

    /**
     * 16 MiB for a value plus 64 KiB for the key, version vector and message header around it. A
     * node that accepts larger values must configure a larger maximum on both sides.
     */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = (16 << 20) + (64 << 10);

    /** The first allocation for a frame's payload; it doubles as more bytes arrive. */
    private static final int INITIAL_PAYLOAD_BYTES = 64 << 10;

    private final int maxPayloadBytes;
    private final byte[] lengthPrefix = new byte[LENGTH_PREFIX_BYTES];
    private int lengthPrefixFilled;

    /** The frame being read, null while reading a length prefix. */
    private byte[] payload;

    private int payloadLength;
    private int payloadFilled;
    private MalformedFrameException failure;

    public FrameDecoder() {
        this(DEFAULT_MAX_PAYLOAD_BYTES);
    }

    public FrameDecoder(int maxPayloadBytes) {
        if (maxPayloadBytes < 0) {
            throw new IllegalArgumentException("negative maxPayloadBytes " + maxPayloadBytes);
        }
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /** {@code [length:u32][payload]} in one array, as {@link #feed} reads it. */
    public static byte[] frame(byte[] payload) {
        byte[] frame = new byte[LENGTH_PREFIX_BYTES + payload.length];
        int n = payload.length;
        frame[0] = (byte) (n >>> 24);
        frame[1] = (byte) (n >>> 16);
        frame[2] = (byte) (n >>> 8);
        frame[3] = (byte) n;
        System.arraycopy(payload, 0, frame, LENGTH_PREFIX_BYTES, n);
        return frame;
    }

    /** Feeds a whole chunk and returns the payloads it completed, in order. */
    public List<byte[]> feed(byte[] chunk) {
        List<byte[]> out = new ArrayList<>(2);
        feed(chunk, 0, chunk.length, out::add);
        return out;
    }

    /**
     * Feeds {@code chunk[offset, offset + length)}; each payload it completes goes to {@code sink}
     * at once, in order. The chunk is copied, so the caller may reuse it afterwards. Throws
     * {@link MalformedFrameException} on a length above the maximum, and on every call after that.
     */
    public void feed(byte[] chunk, int offset, int length, Consumer<byte[]> sink) {
        if (offset < 0 || length < 0 || length > chunk.length - offset) {
            throw new IllegalArgumentException(
                    "range [" + offset + ", +" + length + ") outside an array of " + chunk.length + " bytes");
        }
        if (failure != null) {
            throw new MalformedFrameException("stream already failed: " + failure.getMessage(), failure);
        }
        int pos = offset;
        int end = offset + length;
        while (pos < end || (payload != null && payloadFilled == payloadLength)) {
            if (payload == null) {
                int n = Math.min(LENGTH_PREFIX_BYTES - lengthPrefixFilled, end - pos);
                System.arraycopy(chunk, pos, lengthPrefix, lengthPrefixFilled, n);
                lengthPrefixFilled += n;
                pos += n;
                if (lengthPrefixFilled == LENGTH_PREFIX_BYTES) {
                    startPayload();
                }
                continue;
            }
            if (payloadFilled < payloadLength) {
                int n = Math.min(payloadLength - payloadFilled, end - pos);
                ensureCapacity(payloadFilled + n);
                System.arraycopy(chunk, pos, payload, payloadFilled, n);
                payloadFilled += n;
                pos += n;
            }
            if (payloadFilled == payloadLength) {
                byte[] complete = payload;
                payload = null;
                lengthPrefixFilled = 0;
                sink.accept(complete); // state is reset first, so a throwing sink leaves it consistent
            }
        }
    }

    /** Bytes held for a frame not yet complete (its length prefix included). */
    public int bufferedBytes() {
        return payload == null ? lengthPrefixFilled : LENGTH_PREFIX_BYTES + payloadFilled;
    }

    /** True between frames: the stream may end here without truncating one. */
    public boolean atFrameBoundary() {
        return payload == null && lengthPrefixFilled == 0;
    }

    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    private void startPayload() {
        long length = ((lengthPrefix[0] & 0xFFL) << 24)
                | ((lengthPrefix[1] & 0xFF) << 16)
                | ((lengthPrefix[2] & 0xFF) << 8)
                | (lengthPrefix[3] & 0xFF);
        if (length > maxPayloadBytes) {
            failure = new MalformedFrameException(
                    "frame length " + length + " exceeds the maximum of " + maxPayloadBytes + " bytes");
            throw failure;
        }
        payloadLength = (int) length;
        payloadFilled = 0;
        payload = new byte[Math.min(payloadLength, INITIAL_PAYLOAD_BYTES)];
    }

    private void ensureCapacity(int needed) {
        if (needed > payload.length) {
            int grown = (int) Math.min(payloadLength, Math.max(2L * payload.length, needed));
            payload = Arrays.copyOf(payload, grown);
        }
    }
}
