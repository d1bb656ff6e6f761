package io.dynakv.common.codec;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * Length-prefixed strings in message bodies, strict both ways: a string that is not valid
 * Unicode (a lone surrogate) is refused when sent rather than sent as '?', and malformed UTF-8 is
 * refused when read rather than replaced, so every string has exactly one encoding and a frame
 * that decodes re-encodes to the same bytes.
 */
public final class WireStrings {

    private WireStrings() {}

    /** Writes {@code s}; throws {@link IllegalArgumentException} (a sender's bug) if it cannot. */
    public static ByteWriter write(ByteWriter out, String s, int maxBytes, String what) {
        ByteBuffer utf8;
        try {
            utf8 = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(s));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + " cannot be encoded as UTF-8: " + e.getMessage(), e);
        }
        if (utf8.remaining() > maxBytes) {
            throw new IllegalArgumentException(what + " of " + utf8.remaining() + " UTF-8 bytes exceeds " + maxBytes);
        }
        byte[] bytes = new byte[utf8.remaining()];
        utf8.get(bytes);
        return out.writeLengthPrefixed(bytes);
    }

    /** Reads a string of {@code minBytes..maxBytes} UTF-8 bytes; anything else is a malformed frame. */
    public static String read(ByteReader in, int minBytes, int maxBytes, String what) {
        byte[] utf8 = readBounded(in, minBytes, maxBytes, what);
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(utf8))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MalformedFrameException(what + " is not valid UTF-8", e);
        }
    }

    /** Reads length-prefixed bytes, checking the length before allocating. */
    public static byte[] readBounded(ByteReader in, int minBytes, int maxBytes, String what) {
        long length = in.readVarLong();
        if (length < minBytes || length > maxBytes || length > in.remaining()) {
            throw new MalformedFrameException(what + " length " + length + " is outside " + minBytes + ".." + maxBytes
                    + " or beyond the " + in.remaining() + " bytes left");
        }
        return in.readBytes((int) length);
    }
}
