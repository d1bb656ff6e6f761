package io.dynakv.replication.replica;

import io.dynakv.common.Causality;
import io.dynakv.common.Versioned;
import java.util.Optional;

/**
 * What a replica keeps when a version arrives for a key it may already hold. Pure: the same inputs
 * give the same answer on every replica, which is what makes replicas converge.
 *
 * <p>Convergence in any delivery order rests on one invariant: a version's HLC is larger than the
 * HLC of every version its clock descends from. {@code VersionMinter} keeps it by observing the
 * context's and the stored version's HLC before stamping, and a merge keeps the larger HLC. Then
 * the kept value is always the highest-HLC version not superseded by another, whatever the order.
 *
 * @param result the version to keep
 * @param outcome how it was decided
 */
public record Resolution(Versioned result, Outcome outcome) {

    /** How a resolution was decided. */
    public enum Outcome {
        /** The incoming version supersedes the stored one (or nothing was stored): store it. */
        APPLIED,
        /** The stored version already contains the incoming one: keep it, store nothing. */
        ALREADY_KNOWN,
        /**
         * Neither contains the other. Keep one value (the higher HLC, then writer id: DESIGN section
         * 2) under the merged clock, so the kept version supersedes both and every replica picks the
         * same one whatever order the versions arrive in.
         */
        CONCURRENT_MERGED
    }

    public boolean changesStorage() {
        return outcome != Outcome.ALREADY_KNOWN;
    }

    public static Resolution of(Optional<Versioned> stored, Versioned incoming) {
        if (stored.isEmpty()) {
            return new Resolution(incoming, Outcome.APPLIED);
        }
        Versioned current = stored.get();
        Causality c = incoming.clock().compare(current.clock());
        switch (c) {
            case AFTER:
                return new Resolution(incoming, Outcome.APPLIED);
            case BEFORE:
            case EQUAL:
                return new Resolution(current, Outcome.ALREADY_KNOWN);
            case CONCURRENT:
                Versioned winner = incoming.winsOver(current) ? incoming : current;
                Versioned merged = new Versioned(
                        incoming.clock().merge(current.clock()),
                        winner.hlc(),
                        winner.writer(),
                        winner.kind(),
                        winner.value());
                return new Resolution(merged, Outcome.CONCURRENT_MERGED);
        }
        throw new IllegalStateException("unknown causality " + c);
    }

    /** The newest of several replicas' answers, resolved exactly as replicas resolve writes. */
    public static Optional<Versioned> newest(Iterable<Optional<Versioned>> answers) {
        Optional<Versioned> best = Optional.empty();
        for (Optional<Versioned> answer : answers) {
            if (answer.isPresent()) {
                best = Optional.of(of(best, answer.get()).result());
            }
        }
        return best;
    }
}
