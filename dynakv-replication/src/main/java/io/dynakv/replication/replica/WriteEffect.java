package io.dynakv.replication.replica;

import io.dynakv.common.Versioned;
import java.util.Optional;

/**
 * What a replica did with a write, which its acknowledgement carries back to the coordinator, so
 * a conflict reaches the client that caused it instead of only a counter (Dynamo section 4.4: the
 * system, not the client, resolved it, and the client must be able to tell).
 *
 * @param outcome how the replica resolved the write against what it held
 * @param concurrent for {@link Resolution.Outcome#CONCURRENT_MERGED} only: the version the replica
 *     held, value included. The write's value was resolved away when this version {@link
 *     Versioned#winsOver wins over} it; otherwise the write's value is kept and this one's is gone.
 */
public record WriteEffect(Resolution.Outcome outcome, Optional<Versioned> concurrent) {

    public static final WriteEffect APPLIED = new WriteEffect(Resolution.Outcome.APPLIED, Optional.empty());
    public static final WriteEffect ALREADY_KNOWN = new WriteEffect(Resolution.Outcome.ALREADY_KNOWN, Optional.empty());

    public WriteEffect {
        if (concurrent.isPresent() != (outcome == Resolution.Outcome.CONCURRENT_MERGED)) {
            throw new IllegalArgumentException(
                    "a concurrent version comes with a merge, and only with one: " + outcome);
        }
    }

    public static WriteEffect concurrentWith(Versioned held) {
        return new WriteEffect(Resolution.Outcome.CONCURRENT_MERGED, Optional.of(held));
    }

    /** What resolving {@code incoming} against {@code stored} did, for the acknowledgement. */
    static WriteEffect of(Optional<Versioned> stored, Resolution resolution) {
        switch (resolution.outcome()) {
            case APPLIED:
            case DIVERGED_REPLACED:
                return APPLIED;
            case ALREADY_KNOWN:
            case DIVERGED_KEPT:
                // Equal clocks with other contents are a broken invariant repaired in place
                // (counted in diverged_versions), not a conflict between two clients' writes.
                return ALREADY_KNOWN;
            case CONCURRENT_MERGED:
                return concurrentWith(stored.orElseThrow());
        }
        throw new IllegalStateException("unknown resolution " + resolution.outcome());
    }
}
