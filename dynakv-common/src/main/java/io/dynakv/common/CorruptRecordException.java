package io.dynakv.common;

/**
 * Stored bytes failed their checksum or do not parse. Never caught to carry on: the node reports
 * the damage and refuses to serve the record rather than return wrong data.
 */
public final class CorruptRecordException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CorruptRecordException(String message) {
        super(message);
    }
}
