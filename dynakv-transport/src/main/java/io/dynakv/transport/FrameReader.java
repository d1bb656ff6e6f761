package io.dynakv.transport;

import io.dynakv.common.codec.FrameDecoder;
import io.dynakv.common.codec.MalformedFrameException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import java.util.function.Consumer;

/**
 * Feeds a connection's bytes to a {@link FrameDecoder} ({@code [u32 length][payload]}, oversized
 * lengths refused before allocation) and hands on each payload. After a framing error the stream
 * is out of step for good, so the reader reports once and ignores the rest.
 */
final class FrameReader implements Handler<Buffer> {

    private final FrameDecoder decoder;
    private final Consumer<byte[]> onFrame;
    private final Consumer<MalformedFrameException> onError;
    private boolean failed;

    FrameReader(int maxFrameBytes, Consumer<byte[]> onFrame, Consumer<MalformedFrameException> onError) {
        this.decoder = new FrameDecoder(maxFrameBytes);
        this.onFrame = onFrame;
        this.onError = onError;
    }

    @Override
    public void handle(Buffer data) {
        if (failed) {
            return;
        }
        byte[] bytes = data.getBytes();
        try {
            decoder.feed(bytes, 0, bytes.length, onFrame);
        } catch (MalformedFrameException e) {
            failed = true;
            onError.accept(e);
        }
    }

    /** One frame ready to write: the length, then the payload. */
    static Buffer frame(byte[] payload) {
        return Buffer.buffer(FrameDecoder.frame(payload));
    }
}
