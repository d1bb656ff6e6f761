package io.dynakv.replication.coordinator;

/**
 * How a client request ended. Expected failures are values the API layer turns into 503 and 504.
 *
 * @param <T> what a successful request returns
 */
public sealed interface Outcome<T> {

    /** The request reached its quorum. */
    record Ok<T>(T value) implements Outcome<T> {}

    /**
     * Too many replicas failed: {@code answered} succeeded of {@code required} needed. {@code
     * storageFull}: a replica's full disk was among the failures, and {@code reason} is its.
     */
    record Unavailable<T>(int answered, int required, int replicas, String reason, boolean storageFull)
            implements Outcome<T> {

        public Unavailable(int answered, int required, int replicas, String reason) {
            this(answered, required, replicas, reason, false);
        }
    }

    /** The timeout passed with {@code answered} of {@code required} replicas done. */
    record TimedOut<T>(int answered, int required, int replicas) implements Outcome<T> {}
}
