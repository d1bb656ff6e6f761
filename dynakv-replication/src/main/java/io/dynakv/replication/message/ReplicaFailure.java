package io.dynakv.replication.message;

/**
 * The replica could not serve request {@code requestId} (for example its stored record is corrupt,
 * or, with {@code storageFull}, its disk is full). {@code reason} is for logs and error messages;
 * it is cut to {@link #MAX_REASON_CHARS} so a failure always fits a frame.
 */
public record ReplicaFailure(long requestId, String reason, boolean storageFull) implements ReplicaMessage {

    public static final int MAX_REASON_CHARS = 1024;

    public ReplicaFailure {
        if (reason.length() > MAX_REASON_CHARS) {
            reason = reason.substring(0, MAX_REASON_CHARS);
        }
    }

    public ReplicaFailure(long requestId, String reason) {
        this(requestId, reason, false);
    }
}
