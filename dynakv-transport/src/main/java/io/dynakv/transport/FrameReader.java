package io.dynakv.transport;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;
import java.util.function.LongConsumer;

/**
 * Splits a TCP byte stream into frames {@code [u32 length][payload]}. A length over the maximum is
 * reported before any of the payload is buffered, so a hostile or broken peer cannot make this
 * node allocate a huge frame.
 */
final class FrameReader implements Handler<Buffer> {

    private final RecordParser parser;
    private boolean expectingLength = true;
    private boolean failed;

    FrameReader(int maxFrameBytes, Handler<Buffer> onFrame, LongConsumer onOversized) {
        parser = RecordParser.newFixed(4);
        parser.handler(chunk -> {
            if (failed) {
                return;
            }
            if (expectingLength) {
                long length = chunk.getUnsignedInt(0);
                if (length > maxFrameBytes) {
                    failed = true;
                    onOversized.accept(length);
                    return;
                }
                if (length == 0) {
                    onFrame.handle(Buffer.buffer());
                    return;
                }
                expectingLength = false;
                parser.fixedSizeMode((int) length);
            } else {
                expectingLength = true;
                parser.fixedSizeMode(4);
                onFrame.handle(chunk);
            }
        });
    }

    @Override
    public void handle(Buffer data) {
        if (!failed) {
            parser.handle(data);
        }
    }

    /** One frame ready to write: the length, then the payload. */
    static Buffer frame(byte[] payload) {
        return Buffer.buffer(payload.length + 4)
                .appendUnsignedInt(payload.length)
                .appendBytes(payload);
    }
}
