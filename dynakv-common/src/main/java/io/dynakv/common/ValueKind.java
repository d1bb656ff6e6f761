package io.dynakv.common;

/** What a stored version holds. The code is part of the storage format: never renumber. */
public enum ValueKind {
    /** A JSON document, kept as its compact UTF-8 text. */
    JSON(1),
    /** Raw bytes stored as sent ({@code Content-Type: application/octet-stream}). */
    BYTES(2),
    /** A delete: no value, only the causal context that makes it win over what it deleted. */
    TOMBSTONE(3);

    private final int code;

    ValueKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ValueKind fromCode(int code) {
        for (ValueKind kind : values()) {
            if (kind.code == code) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown value kind " + code);
    }
}
