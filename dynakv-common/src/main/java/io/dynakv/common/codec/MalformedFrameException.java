package io.dynakv.common.codec;

/**
 * A node-to-node frame that cannot be decoded: truncated, oversized, corrupted (checksum), of an
 * unknown schema version or message type, or with a body that does not parse exactly. The only
 * exception decoding untrusted bytes may throw. The connection it came from is out of step or
 * hostile: the transport should log it and close that connection, never carry on with it.
 */
public final class MalformedFrameException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MalformedFrameException(String message) {
        super(message);
    }

    public MalformedFrameException(String message, Throwable cause) {
        super(message, cause);
    }
}
