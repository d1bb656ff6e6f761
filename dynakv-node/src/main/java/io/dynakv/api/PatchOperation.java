package io.dynakv.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynakv.common.CausalContext;
import io.dynakv.common.ValueKind;
import io.dynakv.common.Versioned;
import io.dynakv.replication.ReplicationStats;
import io.dynakv.replication.coordinator.ConsistencyLevel;
import io.dynakv.replication.coordinator.Coordinator;
import io.dynakv.replication.coordinator.Outcome;
import io.dynakv.replication.coordinator.WriteRequest;
import io.dynakv.replication.coordinator.Written;
import io.dynakv.replication.replica.KeyRef;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One PATCH: read the key, apply the merge patch (RFC 7396), write the result with the read's
 * causal context. On one node the read and the write run in one task on the key's loop, so
 * concurrent patches apply one after the other. In a cluster the read is a quorum read and two
 * patches can read the same version; their writes are then concurrent and the replicas keep one
 * value, losing the other patch's fields. The replicas report it ({@link Written#concurrent}): when
 * the version the key keeps lacks this patch's change, the patch is applied again to the concurrent
 * version's value, under both histories, so both changes survive. Whichever of the two writes met
 * the other at a replica does it, winner or loser, since that replica returns the other's value.
 * At most {@link #MAX_ATTEMPTS} writes, then 409 (docs/concurrent-writes.md).
 */
final class PatchOperation {

    /** Writes one PATCH may make before it gives up with 409; each retry follows a real conflict. */
    static final int MAX_ATTEMPTS = 4;

    private final Coordinator coordinator;
    private final KeyRef key;
    private final JsonNode patch;
    private final ConsistencyLevel w;
    private final int maxValueBytes;
    private final ReplicationStats stats;
    private final Consumer<Written> onWritten;
    private final Consumer<ApiException> onRefused;

    PatchOperation(
            Coordinator coordinator,
            KeyRef key,
            JsonNode patch,
            ConsistencyLevel w,
            int maxValueBytes,
            ReplicationStats stats,
            Consumer<Written> onWritten,
            Consumer<ApiException> onRefused) {
        this.coordinator = coordinator;
        this.key = key;
        this.patch = patch;
        this.w = w;
        this.maxValueBytes = maxValueBytes;
        this.stats = stats;
        this.onWritten = onWritten;
        this.onRefused = onRefused;
    }

    void start(ConsistencyLevel r) {
        coordinator.read(key, r, read -> {
            if (read instanceof Outcome.Ok<Optional<Versioned>> current) {
                attempt(1, current.value());
            } else {
                onRefused.accept(Responses.failure(read));
            }
        });
    }

    /** Writes the patch applied to {@code base} (tombstones included), as its causal successor. */
    private void attempt(int attempt, Optional<Versioned> base) {
        byte[] value;
        try {
            value = ValueBodies.compact(applyTo(base));
        } catch (ApiException refused) {
            onRefused.accept(refused);
            return;
        }
        if (value.length > maxValueBytes) {
            onRefused.accept(ApiException.tooLarge("the patched value is " + value.length + " bytes; the limit is "
                    + maxValueBytes + " (--max-value-bytes)"));
            return;
        }
        WriteRequest write = new WriteRequest(key, ValueKind.JSON, value, base.map(CausalContext::of), w);
        coordinator.write(write, outcome -> {
            if (outcome instanceof Outcome.Ok<Written> ok) {
                settle(attempt, ok.value());
            } else {
                onRefused.accept(Responses.failure(outcome));
            }
        });
    }

    /**
     * Answers once the key keeps this patch's change; writes again when a concurrent version took
     * its place. A write that met no concurrent version, or whose change the kept version has (the
     * other write already carried it), is answered with what the key keeps.
     */
    private void settle(int attempt, Written written) {
        if (written.concurrent().isEmpty()) {
            onWritten.accept(written);
            return;
        }
        Versioned met = written.concurrent().get();
        Versioned kept = written.kept();
        Optional<JsonNode> keptValue = json(kept);
        Optional<JsonNode> wanted = json(met).map(value -> ValueBodies.mergePatch(value, patch));
        if (keptValue.isEmpty() || wanted.isEmpty()) {
            onWritten.accept(written); // a delete or raw bytes were involved: reported, not redone
        } else if (wanted.equals(keptValue)) {
            onWritten.accept(Written.alone(kept));
        } else if (attempt < MAX_ATTEMPTS) {
            stats.patchRetries.increment();
            // The concurrent value under both histories: the next write supersedes both.
            attempt(
                    attempt + 1,
                    Optional.of(new Versioned(kept.clock(), kept.hlc(), kept.writer(), met.kind(), met.value())));
        } else {
            stats.patchConflicts.increment();
            onRefused.accept(new ApiException(
                    409,
                    "patch_conflict",
                    "concurrent writes to this key met each of this PATCH's " + MAX_ATTEMPTS
                            + " attempts; the last one was stored but its change may have been resolved"
                            + " away: read the key and send the PATCH again"));
        }
    }

    /** The merged value; a stored value that is not JSON, or not exactly mergeable, is refused (409). */
    private JsonNode applyTo(Optional<Versioned> base) {
        Optional<Versioned> live = base.filter(v -> !v.isTombstone());
        if (live.isPresent() && live.get().kind() == ValueKind.BYTES) {
            throw new ApiException(409, "not_json", "the stored value is raw bytes; only a JSON value can be patched");
        }
        return ValueBodies.mergePatch(
                live.map(v -> ValueBodies.parseStored(v.value())).orElse(null), patch);
    }

    /**
     * The value of a JSON version. Empty for a tombstone (a PATCH neither undoes a concurrent delete
     * nor rebuilds what one removed: the answer reports the conflict instead), raw bytes, or a value
     * that is not exactly mergeable.
     */
    private static Optional<JsonNode> json(Versioned version) {
        if (version.kind() != ValueKind.JSON) {
            return Optional.empty();
        }
        try {
            return Optional.of(ValueBodies.parseStored(version.value()));
        } catch (ApiException notMergeable) {
            return Optional.empty();
        }
    }
}
