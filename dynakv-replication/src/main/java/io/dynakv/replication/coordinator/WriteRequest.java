package io.dynakv.replication.coordinator;

import io.dynakv.common.CausalContext;
import io.dynakv.common.ValueKind;
import io.dynakv.replication.replica.KeyRef;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A client's write: a value, or a delete when {@code kind} is TOMBSTONE.
 *
 * @param context the version the client read, if it sent one; without it the write supersedes
 *     whatever this coordinator holds for the key
 */
public record WriteRequest(
        KeyRef key, ValueKind kind, byte[] value, Optional<CausalContext> context, ConsistencyLevel w) {

    @Override
    public boolean equals(Object o) {
        return o instanceof WriteRequest r
                && key.equals(r.key)
                && kind == r.kind
                && Arrays.equals(value, r.value)
                && context.equals(r.context)
                && w.equals(r.w);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, kind, Arrays.hashCode(value), context, w);
    }

    @Override
    public String toString() {
        return "WriteRequest{" + key + ", " + kind + ", " + value.length + " bytes, context=" + context.isPresent()
                + ", w=" + w + "}";
    }
}
