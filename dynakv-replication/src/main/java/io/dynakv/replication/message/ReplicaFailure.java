package io.dynakv.replication.message;

/**
 * The replica could not serve request {@code requestId} (for example its stored record is corrupt).
 * {@code reason} is for logs and error messages; it is cut to {@link #MAX_REASON_CHARS} so a
 * failure always fits a frame.
 */
public record ReplicaFailure(long requestId, String reason) implements ReplicaMessage {

    public static final int MAX_REASON_CHARS = 1024;

    public ReplicaFailure {
        if (reason.length() > MAX_REASON_CHARS) {
            reason = reason.substring(0, MAX_REASON_CHARS);
        }
    }
}
