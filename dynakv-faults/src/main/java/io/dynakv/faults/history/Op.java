package io.dynakv.faults.history;

/**
 * One client operation as the history records it. Times are microseconds since the run started,
 * on the harness's monotonic clock (never a node's, which the nemesis may skew).
 *
 * @param id unique in a run, in invocation order per client
 * @param client the client thread that ran it
 * @param kind what it did
 * @param key the key
 * @param value a write's unique value; a read's value (null: 404); null for a delete
 * @param invokeMicros when the request was sent (for a read-modify-write: its read)
 * @param completeMicros when the answer (or the failure) came
 * @param outcome acknowledged, definitely not applied, or indeterminate
 * @param version the version the answer carried (null when none)
 * @param node the node the request went to ({@code host:port})
 * @param fault the nemesis's fault in force when the request was sent ("none" between faults)
 * @param error the status or exception when not acknowledged
 */
public record Op(
        long id,
        int client,
        Kind kind,
        String key,
        String value,
        long invokeMicros,
        long completeMicros,
        Outcome outcome,
        String version,
        String node,
        String fault,
        String error) {

    /** The operations of the workload. */
    public enum Kind {
        /** PUT of a unique value without causal context: a blind overwrite. */
        WRITE,
        /** GET. */
        READ,
        /** DELETE (writes a tombstone). */
        DELETE,
        /** GET, then PUT of a unique value with the version read as causal context. */
        READ_MODIFY_WRITE;

        /** Whether the operation stores a value (and so can be the one a final read finds). */
        public boolean writesValue() {
            return this == WRITE || this == READ_MODIFY_WRITE;
        }
    }

    /** What the client knows about the operation's effect. */
    public enum Outcome {
        /** Acknowledged: 2xx (a read's 404 too). */
        OK,
        /** Definitely not applied: the write was never sent (connection refused, the read of a read-modify-write failed). */
        FAIL,
        /** No acknowledgement: it may or may not have taken effect, now or later. */
        UNKNOWN
    }

    public boolean acknowledged() {
        return outcome == Outcome.OK;
    }

    /**
     * When the operation's effect is known to be complete: its completion when acknowledged,
     * otherwise never (an indeterminate write may still land, e.g. through a replayed hint).
     */
    public long effectCompleteMicros() {
        return acknowledged() ? completeMicros : Long.MAX_VALUE;
    }

    /** Whether {@code this} finished before {@code other} started: real-time order, so causally before. */
    public boolean precedes(Op other) {
        return effectCompleteMicros() < other.invokeMicros;
    }
}
